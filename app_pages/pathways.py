"""Pathways (缺路径): member development against plan, league-school branches."""

from __future__ import annotations

import streamlit as st

from ui import widgets
from ui.context import current

ctx = current()
data = widgets.area(ctx, "pathways", "page.pathways", per_row=2)
with st.expander(ctx.t("details.pathways")):
    widgets.table(
        ctx,
        data["units"],
        ["unit", "sector", "township", "planned", "admitted", "ceremonies", "has_league_school"],
        key="pathways.details",
    )
widgets.footer(ctx)
