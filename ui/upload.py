"""The upload page's parts: the dry run (kept per file), its report, and the commit result."""

from __future__ import annotations

import streamlit as st

from reform import actions, auth, export, history, i18n, ingest
from reform import templates as report_templates
from reform.datasets import DATASETS
from reform.ingest import readers
from reform.store import CommitResult
from ui.context import Context
from ui.widgets import escape

_REPORT_KEY = "upload.report"


def dry_run(ctx: Context, data: bytes, file_name: str, dataset: str | None) -> ingest.Report:
    """Validate once per (file, dataset) choice; reruns reuse the report."""
    digest = ingest.content_hash(data)
    key = (digest, file_name, dataset, ctx.version)  # rules compare with stored figures
    kept = st.session_state.get(_REPORT_KEY)
    if kept is None or kept[0] != key:
        label = ctx.t("upload.checking", name=escape(file_name))  # progress text is Markdown
        bar = st.progress(0.0, text=label)
        readers.waiting.tell = lambda: bar.progress(0.0, text=ctx.t("upload.queued", name=escape(file_name)))
        try:
            report = ingest.validate(
                data,
                file_name,
                ctx.cfg,
                dataset,
                lambda share: bar.progress(share, text=label),
                store=ctx.store,
                digest=digest,
            )
        finally:
            readers.waiting.tell = None
        bar.empty()
        kept = (key, report)
        st.session_state[_REPORT_KEY] = kept
    return kept[1]


def report_summary(ctx: Context, report: ingest.Report, stored: bool = False) -> None:
    """The verdict first, then the counts, then the table of problems (row, column, value, message).

    A file this user may not store (rows of another township) is refused with nothing counted as
    storable: the counts never say "4 rows can be stored" above a refusal. ``stored``: this file is saved
    (and perhaps submitted) already: the lock it put on its own slices is no refusal of it."""
    refused = refusals(ctx, report)[1] if report.ok else []
    lock = locked(ctx, report) if report.ok and not refused and not stored else ""  # its own lock is no refusal
    name = i18n.label(DATASETS[report.dataset], ctx.lang) if report.dataset else "?"
    if lock:  # the commit would refuse it: say so now, not after the button
        st.error(escape(ctx.t("auth.slice_locked", slices=lock)))
    elif report.ok and not refused and report.to_explain:
        st.warning(
            escape(ctx.t("upload.ok_explain", rows=report.rows_valid, dataset=name, count=len(report.to_explain)))
        )
    elif report.ok and not refused:
        st.success(escape(ctx.t("upload.ok", rows=report.rows_valid, dataset=name)))
    elif not report.ok:
        st.error(escape(ctx.t("upload.has_errors", count=len(report.errors))))
    else:
        permitted(ctx, report)  # says which rows belong to whom, and records the refusal once
    cols = st.columns(4)
    cols[0].metric(ctx.t("upload.rows_read"), report.rows_read)
    cols[1].metric(ctx.t("upload.rows_valid"), 0 if refused or lock else report.rows_valid)
    cols[2].metric(ctx.t("upload.rows_skipped"), report.rows_skipped)
    cols[3].metric(ctx.t("upload.errors"), len(report.errors) + len(refused) + bool(lock))
    if report.problems:
        st.subheader(ctx.t("upload.problems"))
        frame = report.problems_frame(ctx.lang)
        if report.dataset:  # the column as the clerk's own header names it (在岗数（人）), not its code
            columns = DATASETS[report.dataset].column_map
            frame["column"] = frame["column"].map(
                lambda c: report.headers.get(c) or (i18n.label(columns[c], ctx.lang) if c in columns else c)
            )
        frame.columns = [ctx.t(f"col.{c}") for c in frame.columns]
        st.dataframe(frame, hide_index=True, width="stretch", key="upload.problem_table")
        st.download_button(
            ctx.t("upload.download_problems"),
            export.xlsx({ctx.t("upload.problems"): frame}),
            file_name=f"{report.file_name.rsplit('.', 1)[0]}-问题清单.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="upload.download_problems",
        )


def refusals(ctx: Context, report: ingest.Report) -> tuple[str, list[tuple[int, str]]]:
    """The rows this user may not store, with the message that explains why: rows of another
    township, or rows whose key would replace another township's. Asked once per file, user and
    data version: a rerun does not query the store again."""
    key = (report.content_hash, report.dataset, ctx.user.name, ctx.version)
    kept = st.session_state.get("upload.refusals")
    if kept is None or kept[0] != key:
        own = auth.foreign_rows(ctx.user, ctx.cfg, report)
        found = ("auth.upload_refused", own) if own else ("", [])
        if not own:
            shared = auth.upload_problems(ctx.user, ctx.cfg, report, ctx.store)
            found = ("auth.upload_refused_shared_key", shared) if shared else found
        kept = (key, found)
        st.session_state["upload.refusals"] = kept
    return kept[1]


def locked(ctx: Context, report: ingest.Report) -> str:
    """The slices under review (submitted or approved) this file would change, as a reader names them
    ('' when none): one verdict with the commit's, asked once per file, data and review version."""
    key = (report.content_hash, report.dataset, ctx.version, ctx.store.review_version())
    kept = st.session_state.get("upload.locked")
    if kept is None or kept[0] != key:
        found = ctx.store.locked_slices(report)
        kept = (key, actions.slice_names(found) if found else "")
        st.session_state["upload.locked"] = kept
    return kept[1]


def permitted(ctx: Context, report: ingest.Report) -> bool:
    """Whether this user may store these rows; a refusal names the rows and is logged (once per file)."""
    message, problems = refusals(ctx, report)
    if not problems:
        return True
    rows = "、".join(str(r) for r, _ in problems[:10]) + (" …" if len(problems) > 10 else "")
    units = "、".join(sorted({u for _, u in problems}))
    logged = (report.content_hash, ctx.user.name)
    if st.session_state.get("upload.refusal_logged") != logged:
        auth.record(ctx.store, ctx.user.name, "upload", "refused", f"{report.file_name}: rows {rows} of {units}")
        st.session_state["upload.refusal_logged"] = logged
    st.error(ctx.t(message, rows=escape(rows), units=escape(units)))
    return False


def explanations(ctx: Context, report: ingest.Report) -> dict[str, str]:
    """One text box per soft check rule the file breaks (its message and rows above it); what is
    written goes with the upload to the reviewer."""
    needed = report.needs_explanation()
    if not needed:
        return {}
    st.subheader(ctx.t("upload.explain"))
    st.caption(ctx.t("upload.explain_help"))
    given: dict[str, str] = {}
    for rule, problems in needed.items():
        rows = "、".join(str(p.row) for p in problems[:10]) + (" …" if len(problems) > 10 else "")
        message = problems[0].params.get("rule_text_en" if ctx.lang == "en" else "rule_text", rule)
        shown = [
            ctx.t(
                "upload.explain_row", row=p.row, values=p.params.get("values", ""), values_en=p.params.get("values_en")
            )
            for p in problems[:5]
        ]
        st.caption(escape("；".join(shown) + (" …" if len(problems) > 5 else "")))
        text = st.text_area(
            ctx.t("upload.explain_rule", rule=message, rows=rows),
            key=f"upload.explain.{report.content_hash[:12]}.{rule}",
            max_chars=actions.EXPLANATION_CHARS,
            height=80,
        )
        if text.strip():
            given[rule] = text
    return given


def commit(ctx: Context, report: ingest.Report, explained: dict[str, str] | None = None) -> CommitResult | None:
    """Commit as the signed-in user through the actions layer (role, townships, shared keys,
    explanations of soft check rules, audit)."""
    if not permitted(ctx, report):
        return None
    label = ctx.t("upload.storing", rows=report.rows_valid)
    bar = st.progress(0.0, text=label)
    try:
        return actions.upload(
            ctx.store,
            ctx.cfg,
            ctx.user,
            report,
            progress=lambda share: bar.progress(share, text=label),
            explanations=explained,
        )
    except actions.RefusedError as exc:
        st.error(ctx.t(f"auth.{exc.code}", **{k: escape(v) for k, v in exc.params.items()}))
        return None
    finally:
        bar.empty()


def changes(ctx: Context, report: ingest.Report) -> None:
    """Before a commit: per slice, rows added, removed and changed against what is stored now."""
    frame = history.preview(ctx.store, report)
    st.subheader(ctx.t("upload.changes"))
    if (frame["rows_now"] > 0).any():
        st.warning(ctx.t("upload.replaces", slices=int((frame["rows_now"] > 0).sum())))
    frame.columns = [ctx.t(f"col.{c}") for c in frame.columns]
    st.dataframe(frame, hide_index=True, width="stretch", key="upload.changes_table")


def templates(ctx: Context) -> None:
    """Blank templates to download, one .xlsx and one .csv per dataset."""
    with st.expander(ctx.t("upload.templates")):
        for name, dataset in DATASETS.items():
            cols = st.columns([2, 1, 1])
            doc = dataset.doc if ctx.lang == "en" else (dataset.doc_zh or dataset.doc)
            cols[0].write(f"**{escape(i18n.label(dataset, ctx.lang))}** · {escape(doc)}")
            cols[1].download_button(
                "Excel",
                _template(ctx, name),
                file_name=report_templates.file_name(name, "xlsx"),
                key=f"upload.tpl_xlsx_{name}",
            )
            cols[2].download_button(
                "CSV",
                report_templates.csv(name),
                file_name=report_templates.file_name(name, "csv"),
                key=f"upload.tpl_csv_{name}",
            )


def prefilled(ctx: Context) -> None:
    """A unit's template for its next period, filled with its last published period."""
    from reform import prefill

    with st.expander(ctx.t("upload.prefilled")):
        st.caption(ctx.t("upload.prefilled_help"))
        left, right = st.columns(2)
        names = [n for n, d in DATASETS.items() if d.grain in ("period", "year")]
        name = left.selectbox(
            ctx.t("upload.dataset"),
            names,
            format_func=lambda n: i18n.label(DATASETS[n], ctx.lang),
            key="upload.prefill_dataset",
        )
        mine = auth.write_units(ctx.user, ctx.cfg, name)
        units = [u for u in [*ctx.cfg.township_names, ctx.cfg.committee] if mine is None or u in mine]
        if "township" not in DATASETS[name].column_map:
            units = [ctx.cfg.committee] if mine is None or ctx.cfg.committee in mine else []
        unit = right.selectbox(ctx.t("upload.prefill_unit"), units, key="upload.prefill_unit")
        target = _prefill_period(ctx, name, unit) if unit else None
        filled = prefill.prefill(ctx.store, ctx.cfg, name, unit, target) if unit else None
        if filled is None:
            st.caption(ctx.t("upload.prefill_none"))
            return
        st.download_button(
            ctx.t("upload.prefill_download", source=filled.source, target=filled.target),
            data=lambda: report_templates.xlsx(name, ctx.cfg, filled, unit),
            file_name=f"{unit}-{DATASETS[name].zh}-{filled.target}（预填）.xlsx",
            key="upload.prefill_download",
            on_click="ignore",
            icon=":material/download:",
        )


def _prefill_period(ctx: Context, name: str, unit: str) -> str | None:
    """The period to fill: the one after the unit's last published period, or any period it still owes
    (overdue, or returned) — each can be downloaded pre-filled."""
    from reform import prefill
    from reform.audience import Scope
    from ui import cache

    today = ctx.cfg.today()
    scope = Scope(min(ctx.cfg.reporting_first_year, today.year), today.year, (unit,), today=today)
    frame = cache.completeness(str(ctx.store.path), ctx.reports_version, str(ctx.cfg.source), scope, today.isoformat())
    owed = frame[(frame["dataset"] == name) & (frame["township"] == unit) & (frame["status"] == "missing")]
    following = prefill.prefill(ctx.store, ctx.cfg, name, unit)
    options = list(dict.fromkeys([*owed["period"], *([following.target] if following else [])]))
    if len(options) <= 1:
        return options[0] if options else None
    return st.selectbox(
        ctx.t("upload.prefill_period"),
        options,
        index=len(options) - 1,
        format_func=lambda p: (
            i18n.period_words(p, ctx.lang) + (ctx.t("upload.prefill_owed") if p in set(owed["period"]) else "")
        ),
        key="upload.prefill_period",
    )


@st.cache_data(show_spinner=False)
def _template_bytes(name: str, config_source: str) -> bytes:
    from ui import cache

    return report_templates.xlsx(name, cache.config(config_source))


def _template(ctx: Context, name: str) -> bytes:
    return _template_bytes(name, str(ctx.cfg.source))


def commit_result(ctx: Context, result: CommitResult) -> None:
    if result.duplicate_of is not None:
        st.info(ctx.t("upload.duplicate", batch=result.duplicate_of))
    else:
        st.success(
            ctx.t("upload.committed", batch=result.batch_id, rows=result.rows_stored, replaced=result.rows_replaced)
        )
