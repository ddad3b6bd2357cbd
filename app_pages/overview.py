"""Overview: the four shortages' scorecard and the township league table."""

from __future__ import annotations

import streamlit as st

from metrics import AREAS, overview, summary
from ui import cache, widgets
from ui.context import current

ctx = current()
widgets.header(ctx, "page.overview")
if not ctx.version:
    st.info(ctx.t("app.empty"))
    st.stop()

st.subheader(ctx.t("overview.scorecard"))
results = widgets.scorecard(ctx)
widgets.summary_box(ctx, summary.sentences("overview", results, {}, ctx.cfg, ctx.lang))
for column, area in zip(st.columns(len(AREAS)), AREAS, strict=True):
    with column:
        st.markdown(f"#### {ctx.t('area.' + area)}")
        for result in (r for r in results if r.area == area):
            widgets.kpi_card(ctx, result)

st.subheader(ctx.t("overview.league_table"))
st.caption(ctx.t("overview.league_help"))
league = cache.league_table(str(ctx.store.path), ctx.version, str(ctx.cfg.source), ctx.scope)
percent = st.column_config.NumberColumn(format="%.1f%%")
widgets.table(
    ctx,
    league.assign(
        cadre_fill_rate=league["cadre_fill_rate"] * 100,
        member_development_rate=league["member_development_rate"] * 100,
    ),
    [c for c in overview.LEAGUE_COLUMNS if c != "calendar_gap" or league["calendar_gap"].notna().any()],
    key="overview.league",
    formats={
        "met": st.column_config.ProgressColumn(format="%d", min_value=0, max_value=int(league["of"].max() or 6)),
        "cadre_fill_rate": percent,
        "member_development_rate": percent,
        "funding_per_capita": st.column_config.NumberColumn(format="%.2f"),
        "calendar_gap": st.column_config.NumberColumn(format="%+.1f"),
    },
)
widgets.footer(ctx)
