"""Overview: the four shortages' scorecard, the 红黑榜, the district map and the township ranking."""

from __future__ import annotations

import streamlit as st

from metrics import overview, summary
from metrics.profile import ranked_kpis
from ui import cache, township_view, widgets
from ui.context import current

ctx = current()
widgets.header(ctx, "page.overview")
if not ctx.version:
    st.info(ctx.t("app.empty"))
    st.stop()

path, source = str(ctx.store.path), str(ctx.cfg.source)
results = widgets.scorecard(ctx)
st.caption(widgets.escape(widgets.as_of(ctx)))  # 数据截至: the periods, not an upload time
widgets.overdue_note(ctx)
widgets.summary_box(ctx, summary.sentences("overview", results, {}, ctx.cfg, ctx.lang))
st.subheader(ctx.t("overview.scorecard"))
widgets.scorecard_grid(ctx, results)

league = cache.league_table(path, source, ctx.view)
st.subheader(ctx.t("overview.red_black"))
st.caption(ctx.t("overview.red_black_help"))
township_view.ranking_lists(ctx)

with st.container(key="overview-map"):
    st.subheader(ctx.t("overview.map"))
    kpis = {"met": ctx.t("col.met"), **{k.key: ctx.t(k.label_key) for k in ranked_kpis(ctx.cfg)}}
    colour_by = st.selectbox(ctx.t("overview.map_kpi"), list(kpis), format_func=kpis.get, key="overview.map_kpi")
    st.caption(ctx.t("overview.map_help"))
    figure = cache.district_map(path, source, ctx.view, colour_by, ctx.lang)
    picked = widgets.chart(figure, "overview.map", selectable=True)
    if picked:
        township_view.open_profile(picked)

st.subheader(ctx.t("overview.league_table"))
st.caption(ctx.t("overview.league_worst_first"))
shown = overview.worst_first(league)
percent = st.column_config.NumberColumn(format="%.1f%%")
row = widgets.table(
    ctx,
    shown.assign(
        cadre_fill_rate=shown["cadre_fill_rate"] * 100,
        member_development_rate=shown["member_development_rate"] * 100,
    ),
    [c for c in overview.LEAGUE_COLUMNS if c != "calendar_gap" or shown["calendar_gap"].notna().any()],
    key="overview.league",
    formats={
        "met": st.column_config.ProgressColumn(format="%d", min_value=0, max_value=int(shown["of"].max() or 6)),
        "cadre_fill_rate": percent,
        "member_development_rate": percent,
        "funding_per_capita": st.column_config.NumberColumn(format="%.2f"),
        "calendar_gap": st.column_config.NumberColumn(format="%+.1f"),
    },
    rows_shown=20,
    selectable=True,
)
if row is not None:
    township_view.open_profile(shown["township"].iloc[row])
widgets.footer(ctx)
