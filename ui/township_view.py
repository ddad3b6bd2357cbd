"""The township profile (镇街画像) and the links to it from the overview's lists and map."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from metrics import charts
from metrics.profile import COUNT_UNITS, Profile, ranked_kpis
from reform import i18n
from ui import cache, widgets
from ui.context import Context

PAGE = "app_pages/township.py"
PARAM = "name"  # ?name=华港镇 opens that township's profile


def link(ctx: Context, township: str, label: str) -> None:
    """A township's name that opens its profile."""
    st.page_link(PAGE, label=widgets.escape(label), query_params={PARAM: township}, width="stretch")


def open_profile(township: str) -> None:
    st.switch_page(PAGE, query_params={PARAM: township})


def chosen(ctx: Context) -> str | None:
    """The township asked for (``?name=``), or chosen here; a name not configured is ignored."""
    names = ctx.scope.towns(ctx.cfg)
    asked = st.query_params.get(PARAM)
    if asked in names and st.session_state.get("township.choice") != asked:
        st.session_state["township.choice"] = asked
    choice = st.selectbox(
        ctx.t("township.choose"), names, key="township.choice", index=None, placeholder=ctx.t("app.choose")
    )
    if choice:
        st.query_params[PARAM] = choice
    return choice


def show(ctx: Context, township: str) -> None:
    found = cache.township_profile(str(ctx.store.path), str(ctx.cfg.source), ctx.view, township, ctx.lang)
    if found.rank is None:
        st.info(ctx.t("township.not_ranked"))
        return
    _headline(ctx, found)
    st.subheader(ctx.t("township.indicators"))
    indicators = found.indicators.assign(
        met_word=found.indicators["met"].map({True: ctx.t("status.green"), False: ctx.t("status.red")})
    )
    widgets.table(ctx, indicators, ["label", "shown", "district", "target", "met_word"], key="township.indicators")
    widgets.chart(trend_figure(ctx, found), "township.trend")  # titled 历年变化


def _headline(ctx: Context, found: Profile) -> None:
    with st.container(horizontal=True, gap="medium"):
        change = None
        if found.previous_rank is not None:
            change = found.previous_rank - found.rank  # up the table is a positive change
        st.metric(
            ctx.t("township.rank"),
            ctx.t("township.rank_value", rank=found.rank, of=found.ranked),
            delta=ctx.t("township.rank_change", change=change) if change else None,
            delta_color="normal",
            delta_description=ctx.t("kpi.vs_previous") if change else None,
            border=True,
            width=260,
        )
        st.metric(ctx.t("township.met"), f"{found.met}/{found.targets}", border=True, width=260)


def trend_figure(ctx: Context, found: Profile) -> go.Figure:
    """One small panel per indicator, year by year, each on its own scale, with its target."""
    kpis = [k for k in ranked_kpis(ctx.cfg) if k.key in set(found.trend["kpi"])]
    title = ctx.t("township.trend")
    if not kpis:
        return charts.empty(title, ctx.lang)
    cols = 3
    rows = -(-len(kpis) // cols)
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=[i18n.t(k.label_key, ctx.lang) for k in kpis], vertical_spacing=0.18
    )
    for i, k in enumerate(kpis):
        part = found.trend[found.trend["kpi"] == k.key]
        fig.add_scatter(
            x=part["year"].astype(str),
            y=part["value"],
            mode="lines+markers",
            line={"color": charts.RED, "width": 3},
            showlegend=False,
            row=i // cols + 1,
            col=i % cols + 1,
        )
        target = ctx.cfg.targets[k.target_key]
        line = target.per_township if k.unit in ("share", "count_of") and target.per_township else target.target
        if k.unit == "ratio":
            line = line * 100
        where = {"row": i // cols + 1, "col": i % cols + 1}
        fig.add_hline(y=line, line={"dash": "dash", "color": charts.GREY}, **where)
        if k.unit in COUNT_UNITS:  # officers, vacancies, homes: whole numbers
            charts.integer_axis(fig, "y", max([line, *part["value"].dropna()]), **where)
    fig.update_xaxes(type="category")
    return charts.layout(fig, title, height=260 * rows + 80, legend=False)


def ranking_lists(ctx: Context) -> None:
    """The 红黑榜: the leading and the lagging townships side by side (ties whole), each name a link to its
    profile; a tie larger than ``overview.LISTED`` (a province) shows that many and says how many more."""
    from metrics import overview

    best, worst = cache.red_black(str(ctx.store.path), str(ctx.cfg.source), ctx.view)
    for column, key, frame in zip(
        st.columns(2), ("meeting.red_list", "meeting.black_list"), (best, worst), strict=True
    ):
        with column, st.container(border=True):
            st.markdown(f"**{ctx.t(key)}**")
            for row in frame.head(overview.LISTED).itertuples(index=False):
                link(ctx, row.township, f"{row.rank}. {row.township}  {row.met}/{row.of}")
            if len(frame) > overview.LISTED:
                last = frame.iloc[-1]
                more = len(frame) - overview.LISTED
                st.caption(ctx.t("overview.more_tied", more=more, met=int(last["met"]), of=int(last["of"])))
