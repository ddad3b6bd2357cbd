"""Drawing helpers shared by the pages: KPI cards, charts, tables, banners, footers.

User text never goes into Markdown unescaped and never through
``unsafe_allow_html``: file names, unit names and messages are shown as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metrics.base import KpiResult, Scope
from reform import clock, i18n, personal, slices
from reform.datasets import DATASETS, Column
from reform.store import percent_of_sample
from reform.text import inert_markdown
from ui import cache
from ui.context import Context

TIME_COLUMNS = ("uploaded_at", "logged_at", "created_at", "password_changed_at", "locked_until", "sent_at")  # UTC
BADGE = {"green": "green", "amber": "orange", "red": "red", "none": "gray", "info": "blue"}
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"scale": 2}}


def escape(text: object) -> str:
    """Text made inert for Streamlit Markdown (no links, icons, formulas, HTML or formatting)."""
    return inert_markdown(text)


def header(ctx: Context, title_key: str) -> None:
    """Page title and, while only sample data is stored, the sample-data banner."""
    st.title(ctx.t(title_key))
    share = cache.sample_share(str(ctx.store.path), ctx.version) if ctx.version else 0.0
    if share >= 1:
        st.warning(ctx.t("app.sample_banner"), icon=":material/science:")
    elif share > 0:  # while any invented row is current, every page says so, with its share
        st.warning(ctx.t("app.sample_mixed_banner", share=percent_of_sample(share)), icon=":material/science:")
    if ctx.user.role == "township":  # a returned report, with the reviewer's reason, on every page
        returned_notice(ctx)
    if ctx.user.role in ("admin", "sysadmin"):
        refused_notice(ctx)
    if ctx.audience.pending and ctx.version:
        pending = ctx.store.pending_slices()
        if pending:  # a reviewer looking at figures leaders do not see yet: every page says so
            st.warning(ctx.t("review.pending_banner", count=pending), icon=":material/pending_actions:")


CARD_WIDTH = 260  # px: the longest value ("3.41 元/人", "100.0%") fits whole at Streamlit's metric size
PHONE_PX = 640  # below this width the overview shows a compact list instead of cards
RESPONSIVE_CSS = f"""<style>
@media (max-width: {PHONE_PX}px) {{ .st-key-overview-cards, .st-key-overview-map {{ display: none !important; }} }}
@media (min-width: {PHONE_PX + 1}px) {{ .st-key-overview-list {{ display: none !important; }} }}
</style>"""  # no data in it: only our own class names
STATUS_WORD_COLOUR = {"green": "green", "amber": "orange", "red": "red", "none": "gray", "info": "blue"}


def uploader_words(ctx: Context, formats: list[str]) -> None:
    """Streamlit's file uploader has no hook for its own words ("Upload", "20MB per file"): our
    stylesheet hides them and writes ours in their place (our strings only, no user data)."""
    button, limits = ctx.t("upload.browse"), ctx.t("upload.limits", mb=ctx.cfg.max_file_mb, formats="、".join(formats))
    for text in (button, limits):
        if any(ch in text for ch in '\\"<>{}'):  # our own strings: never anything that could leave the rule
            raise ValueError(f"unsafe characters in an uploader string: {text!r}")
    st.html(
        "<style>"
        "[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer] p,"
        "[data-testid=stFileUploaderDropzoneInstructions] span { visibility: hidden; font-size: 0; }"
        f"[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer] p::after"
        f' {{ content: "{button}"; visibility: visible; font-size: 0.875rem; }}'
        f"[data-testid=stFileUploaderDropzoneInstructions] span::after"
        f' {{ content: "{limits}"; visibility: visible; font-size: 0.875rem; }}'
        "</style>"
    )


def kpi_card(ctx: Context, result: KpiResult, width: int | str = "stretch") -> None:
    with st.container(border=True, width=width, key=f"kpi-{result.key}"):  # a class of our own, no data in it
        delta = result.display_change(ctx.lang)
        trend = [v for v in result.trend.values() if v is not None]
        still = result.change is not None and abs(result.change) < 1e-9
        colour = "inverse" if result.direction == "at_most" else ("off" if result.target is None else "normal")
        st.metric(
            ctx.t(result.label),
            result.display(ctx.lang),
            delta=delta,
            delta_color="off" if still else colour,
            delta_arrow="off" if still else "auto",
            delta_description=ctx.t("kpi.vs_previous") if delta else None,
            chart_data=trend if len(trend) > 1 else None,
            chart_type="line",
            border=False,
        )
        st.badge(ctx.t(f"status.{result.status}"), color=BADGE[result.status])
        # its target, and on the next line its period and whose reports it holds (16/17 已报)
        st.caption(f"{escape(result.display_target(ctx.lang))}  \n{escape(result.display_coverage(ctx.lang))}")


def scorecard_grid(ctx: Context, results: list[KpiResult]) -> None:
    """The scorecard: per shortage a heading and its cards, flowing as many to a row as the screen
    holds (no holes under a short area, no value cut); on a phone a compact list instead."""
    from metrics import AREAS, kpi_pages

    st.html(RESPONSIVE_CSS)
    with st.container(key="overview-cards"):
        for area in AREAS:
            st.markdown(f"#### {ctx.t('area.' + area)}")
            with st.container(horizontal=True, gap="small"):
                for result in (r for r in results if r.area == area):
                    kpi_card(ctx, result, width=CARD_WIDTH)
    pages = kpi_pages()
    with st.container(key="overview-list"):
        for area in AREAS:
            st.caption(ctx.t("area." + area))
            for r in (r for r in results if r.area == area):
                word = f":{STATUS_WORD_COLOUR[r.status]}[{ctx.t(f'status.{r.status}')}]"
                change = r.display_change(ctx.lang)
                label = f"{escape(ctx.t(r.label))}　**{escape(r.display(ctx.lang))}**　{word}"
                label += f"　{escape(change)}" if change else ""
                st.page_link(f"app_pages/{pages[r.key]}.py", label=label, width="stretch")
                st.caption(escape(r.display_coverage(ctx.lang)))  # the period on a phone too, on its own line


def kpi_cards(ctx: Context, results: Iterable[KpiResult]) -> None:
    """KPI cards flowing as many to a row as the screen holds: a value is never cut to "3.4…"."""
    with st.container(horizontal=True, gap="small"):
        for result in results:
            kpi_card(ctx, result, width=CARD_WIDTH)


def scorecard(ctx: Context) -> list[KpiResult]:
    return cache.scorecard(str(ctx.store.path), str(ctx.cfg.source), ctx.view)


def area_kpis(ctx: Context, keys: Iterable[str]) -> list[KpiResult]:
    wanted = list(keys)
    by_key = {r.key: r for r in scorecard(ctx)}
    return [by_key[k] for k in wanted if k in by_key]


def area_data(ctx: Context, area: str) -> dict[str, pd.DataFrame]:
    return cache.area_tables(area, str(ctx.store.path), str(ctx.cfg.source), ctx.view)


def chart(fig: go.Figure, key: str, *, selectable: bool = False) -> str | None:
    """A chart whose camera button saves a PNG named after its title (drawn in the browser: offline);
    ``selectable``: clicking a point returns its ``customdata[0]`` (a township's name)."""
    name = str(fig.layout.title.text or key)
    config = {**PLOTLY_CONFIG, "toImageButtonOptions": {"scale": 2, "filename": name}}
    if not selectable:
        st.plotly_chart(fig, width="stretch", config=config, key=key)
        return None
    event = st.plotly_chart(fig, width="stretch", config=config, key=key, on_select="rerun", selection_mode="points")
    points = event.selection.points if event else []
    for point in points:
        data = point.get("customdata")
        if data:
            return str(data[0])
    return None


def charts(figures: list[go.Figure], prefix: str, per_row: int = 2) -> None:
    """Figures in rows of ``per_row`` columns."""
    for start in range(0, len(figures), per_row):
        row = figures[start : start + per_row]
        cols = st.columns(len(row))
        for i, (col, fig) in enumerate(zip(cols, row, strict=True)):
            with col:
                chart(fig, f"{prefix}.chart{start + i}")


def column_label(ctx: Context, code: str) -> str:
    """A column's header: its UI string (``col.<code>``) or its data-contract name."""
    if f"col.{code}" in i18n.MESSAGES:
        return ctx.t(f"col.{code}")
    column = _contract_column(code)
    return i18n.label(column, ctx.lang) if column else code


def _contract_column(code: str) -> Column | None:
    return next((d.column_map[code] for d in DATASETS.values() if code in d.column_map), None)


def _readable(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    """Enumeration codes as labels and yes/no as words, in the user's language."""
    out = frame.copy()
    for code, prefix in (("action", "audit.action."), ("outcome", "audit.outcome."), ("detail", "audit.outcome.")):
        if code in out.columns:  # audit words in the user's language (a code without a word stays as it is)
            known = {k.removeprefix(prefix): ctx.t(k) for k in i18n.MESSAGES if k.startswith(prefix)}
            out[code] = _relabel(out[code], known)
    if "detail" in out.columns:  # recorded details ("batch 7, 3 rows") in the reader's language
        out["detail"] = out["detail"].map(lambda v: i18n.audit_detail(v, ctx.lang))
    for code in out.columns:
        column = _contract_column(code)
        if column is not None and column.kind == "enum":  # a dictionary look-up per cell, not a Python call
            labels = {value: i18n.choice(column, value, ctx.lang) for value, _ in column.choices}
            out[code] = _relabel(out[code], labels)
        elif column is not None and column.kind == "bool":
            out[code] = _relabel(out[code].astype(object), {True: ctx.t("yes"), False: ctx.t("no")}).fillna("")
    return out


def _relabel(values: pd.Series, labels: dict[object, str]) -> pd.Series:
    """Known values replaced by their labels, others kept, empty cells None: one look-up per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = np.array([labels.get(u, u) for u in uniques] + [None], dtype=object)  # code -1 takes the None
    return pd.Series(table[codes], index=values.index, dtype=object)


def table(
    ctx: Context,
    frame: pd.DataFrame,
    columns: list[str],
    key: str,
    formats: dict[str, object] | None = None,
    *,
    rows_shown: int | None = None,
    selectable: bool = False,
    title: str | None = None,
) -> int | None:
    """A table with headers in the user's language; cells are shown as text, never HTML.

    ``formats`` maps a column code to a ``st.column_config`` column (number format, progress bar);
    ``rows_shown``: tall enough for that many rows without scrolling; ``selectable``: one row may be
    selected, and its position is returned.
    """
    if frame.empty:  # Streamlit would draw the word "empty": say it in the user's language
        st.caption(ctx.t("app.no_rows"))
        return None
    names = {c: column_label(ctx, c) for c in columns if c in frame.columns}
    picked = personal.shown(frame[list(names)], ctx.user.role)  # a person's data masked without need
    whole = bool(personal.personal_in(picked)) and personal.needs(ctx.user.role)
    shown = _readable(ctx, picked).rename(columns=names)
    config = {names[c]: v for c, v in (formats or {}).items() if c in names}
    for code, name in names.items():
        if code in TIME_COLUMNS:  # stored UTC: shown in the district's time zone, to the minute
            shown[name] = shown[name].map(lambda v: clock.shown(v, ctx.cfg.timezone))
            config[name] = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
    for name in shown.columns:  # DuckDB's DATE arrives as a timestamp: show the day, not 00:00:00
        if name not in config and pd.api.types.is_datetime64_any_dtype(shown[name]):
            config[name] = st.column_config.DateColumn(format="YYYY-MM-DD")
    height = "auto" if rows_shown is None else min(rows_shown, len(shown)) * 35 + 40
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=height,
        key=key,
        column_config=config or None,
        on_select="rerun" if selectable else "ignore",
        selection_mode="single-row",
        placeholder="—",
    )
    page = f"page.{key.split('.', maxsplit=1)[0]}"
    export_button(ctx, shown, title or (ctx.t(page) if page in i18n.MESSAGES else key), key, reason_needed=whole)
    if selectable and event.selection.rows:
        return int(event.selection.rows[0])
    return None


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_button(ctx: Context, shown: pd.DataFrame, title: str, key: str, reason_needed: bool = False) -> None:
    """The table as shown (headers and words in the user's language) to .xlsx, formula-like cells
    made inert; built only when clicked. For roles that may export. A table holding a person's data
    whole (``reason_needed``) leaves only with a reason, audited with the download."""
    from reform import actions, auth
    from reform.export import xlsx

    if not auth.allowed(ctx.user, "export"):
        return
    heading = [title, as_of(ctx)]
    reason = ""
    if reason_needed:
        reason = st.text_input(ctx.t("table.personal_reason"), key=f"{key}.reason", max_chars=200)
    st.download_button(
        ctx.t("table.export"),
        data=lambda: xlsx({ctx.t("table.sheet"): shown}, heading=heading),
        file_name=f"{title}-{ctx.t('table.version', version=ctx.version)}.xlsx",
        mime=XLSX,
        key=f"{key}.export",
        on_click=(lambda: actions.exported_personal(ctx.store, ctx.user, title, reason)) if reason_needed else "ignore",
        icon=":material/download:",
        type="tertiary",
        disabled=reason_needed and len(reason.strip()) < 4,
    )


def details(ctx: Context, area: str, frame: pd.DataFrame, columns: list[str]) -> None:
    """The rows behind an area's charts, drawn only when asked for.

    A province's table runs to tens of thousands of rows; sending it on every rerun would
    cost more than the rest of the page, so a switch (with the row count) shows it.
    """
    label = f"{ctx.t(f'details.{area}')} {ctx.t('details.rows', rows=len(frame))}"
    if st.toggle(label, key=f"{area}.details_shown"):
        table(ctx, frame, columns, key=f"{area}.details")


def as_of(ctx: Context) -> str:
    """数据截至 …: the periods the figures this reader sees are of (never an upload time)."""
    from metrics import freshness

    return freshness.as_of_line(scorecard(ctx), ctx.lang) if ctx.version else ctx.t("freshness.no_data")


def overdue_note(ctx: Context) -> None:
    """The plain staleness line, when reports are overdue: 2026年第一至三季度报表尚有 51 份未报."""
    line = cache.overdue_line(str(ctx.store.path), str(ctx.cfg.source), ctx.view, ctx.lang)
    if line:
        st.warning(escape(line), icon=":material/schedule:")


def footer(ctx: Context) -> None:
    """The periods the figures are of and the data version, so a printed page says how current it is."""
    st.caption(escape(f"{as_of(ctx)} · {ctx.t('app.version', version=ctx.version)}"))


def area_page(name: str) -> None:
    """A whole area page, from its module's declarations (KPIs, figures, ``PAGE``)."""
    from metrics import AREA_MODULES
    from ui.context import current

    ctx = current()
    page = AREA_MODULES[name].PAGE
    data = area(ctx, name, f"page.{name}", per_row=page.per_row)
    details(ctx, name, data[page.details_table], list(page.details_columns))
    footer(ctx)


def area(ctx: Context, name: str, title_key: str, per_row: int = 2) -> dict[str, pd.DataFrame]:
    """An area page's common part: title, its KPI cards, its charts. Returns its tables."""
    from metrics import kpis_of

    header(ctx, title_key)
    if not ctx.version:
        st.info(ctx.t("app.empty"))
        st.stop()
    kpi_cards(ctx, area_kpis(ctx, [k.key for k in kpis_of(name)]))
    data = area_data(ctx, name)
    path, source = str(ctx.store.path), str(ctx.cfg.source)
    summary_box(ctx, cache.area_summary(name, path, source, ctx.view, ctx.lang))
    figures = cache.area_figures(name, path, source, ctx.view, ctx.lang)
    charts(list(figures.values()), name, per_row)
    return data


def summary_box(ctx: Context, lines: list[str]) -> None:
    """The written summary, as text a leader can read out (never Markdown from data)."""
    with st.container(border=True):
        st.caption(ctx.t("summary.heading"))
        for line in lines:
            st.markdown(escape(line))


def dataset_label(ctx: Context) -> dict[str, str]:
    """Dataset code -> its name in the user's language."""
    return {name: i18n.label(d, ctx.lang) for name, d in DATASETS.items()}


STATUS_COLOURS = {"on_time": "#D8F0E0", "late": "#FFF1CC", "missing": "#F9D6DA", "pending": "#EEF0F3"}
STATUS_MARKS = {"on_time": "●", "late": "▲", "missing": "×", "pending": "○"}  # in every CJK font, unlike emoji
STYLED_CELLS = 1_500  # a district's 18 units × 60 months fit; pandas' Styler takes ~70 ms per 2,500 cells a rerun


def owed_scope(ctx: Context) -> Scope:
    """The years reports are listed for: the sidebar's, and — unless the user cut the range short of the
    data's last year — on to this year, whose reports are owed though none of them is in yet."""
    scope = ctx.scope
    last = (ctx.audience.years or (scope.first_year, scope.last_year))[1]
    today = ctx.cfg.today()
    if scope.last_year >= last and today.year > scope.last_year:
        return replace(scope, last_year=today.year)
    return scope


def status_matrix(ctx: Context, dataset: str, key: str, scope: Scope | None = None) -> None:
    """Townships down, periods across, each cell a reporting status in words, a mark and a colour.

    The mark tells the statuses apart on its own, so a province-sized matrix skips the cell
    colour (pandas' Styler renders cell by cell) and still reads at a glance.
    """
    labels = {s: f"{STATUS_MARKS[s]} {ctx.t(f'status.{s}')}" for s in STATUS_COLOURS}
    today = ctx.cfg.today().isoformat()
    path, source = str(ctx.store.path), str(ctx.cfg.source)
    shown = cache.status_matrix(path, ctx.reports_version, source, scope or ctx.scope, today, dataset, labels)
    if shown.empty:
        st.info(ctx.t("chart.no_data"))
        return
    shown = shown.rename_axis(ctx.t("col.township"))
    if shown.size > STYLED_CELLS:
        st.dataframe(shown, width="stretch", key=key)
        return
    colour_of = {labels[s]: c for s, c in STATUS_COLOURS.items()}
    styled = shown.style.map(lambda v: f"background-color: {colour_of.get(v, 'white')}")
    st.dataframe(styled, width="stretch", key=key)


# ------------------------------------------------------------------ a township clerk's returned reports
def clerk_unit(ctx: Context) -> str | None:
    """The township a clerk reports for (None for other accounts)."""
    return ctx.user.township if ctx.user.role == "township" else None


def returned(ctx: Context) -> pd.DataFrame:
    """The clerk's slices whose latest review step is a return (reason, who, when)."""
    town = clerk_unit(ctx)
    if town is None or not ctx.cfg.review_required:
        return pd.DataFrame(columns=["dataset", "slice", "reason", "by_user", "decided_at"])
    found = cache.unit_states(str(ctx.store.path), ctx.store.review_version(), town)
    return found[found["state"] == "returned"].reset_index(drop=True)


def returned_notice(ctx: Context) -> None:
    """On every page a clerk opens: each returned report, the reviewer's reason and who returned it."""
    for row in returned(ctx).itertuples(index=False):
        st.error(
            escape(
                ctx.t(
                    "home.returned",
                    report=report_name(ctx, row.dataset, row.slice),
                    reason=row.reason or "—",
                    by=row.by_user,
                    when=str(clock.shown(row.decided_at, ctx.cfg.timezone))[:16],
                )
            ),
            icon=":material/undo:",
        )


def refused_notice(ctx: Context) -> None:
    """To admins, on every page: rows of the shared database this server left out, each named, and
    the command that sets them aside (the pages themselves go on without them)."""
    from reform import pgstore

    refused = ctx.store.refused_rows()
    if refused:
        lines = [ctx.t("pg.refused_banner", count=len(refused))]
        lines += [pgstore.describe(row, ctx.lang) for row in refused[:5]]
        st.error("  \n".join(escape(line) for line in lines), icon=":material/database:")  # a line each


def report_name(ctx: Context, dataset: str, key: str) -> str:
    """队伍配备 2026年第一季度: a report as a clerk names it."""
    values = {k: v for k, v in slices.values(key).items() if k != "township"}
    period = " ".join(i18n.period_words(v, ctx.lang) for v in values.values())
    return f"{i18n.label(DATASETS[dataset], ctx.lang)} {period}"
