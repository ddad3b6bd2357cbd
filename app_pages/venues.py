"""Venues (缺载体): Youth Homes by tier and township."""

from __future__ import annotations

import streamlit as st

from ui import widgets
from ui.context import current

ctx = current()
data = widgets.area(ctx, "venues", "page.venues", per_row=2)
with st.expander(ctx.t("details.venues")):
    widgets.table(
        ctx,
        data["homes"],
        ["venue_name", "township", "tier", "opened_on", "period", "activities", "participants"],
        key="venues.details",
    )
widgets.footer(ctx)
