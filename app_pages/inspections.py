"""Policy (缺政策): party inspections of league affairs and rectification."""

from __future__ import annotations

import streamlit as st

from ui import widgets
from ui.context import current

ctx = current()
data = widgets.area(ctx, "inspections", "page.inspections", per_row=2)
with st.expander(ctx.t("details.inspections")):
    widgets.table(
        ctx,
        data["established"],
        ["unit_name", "unit_type", "round", "inspected_on", "issues_found", "rectification"],
        key="inspections.details",
    )
widgets.footer(ctx)
