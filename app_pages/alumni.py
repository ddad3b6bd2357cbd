"""Venues (缺载体): alumni associations in the ten cities, on an offline map."""

from __future__ import annotations

import streamlit as st

from ui import widgets
from ui.context import current

ctx = current()
data = widgets.area(ctx, "alumni", "page.alumni", per_row=1)
with st.expander(ctx.t("details.alumni")):
    widgets.table(
        ctx,
        data["cities"],
        ["city", "association_name", "founded_on", "members", "events", "period"],
        key="alumni.details",
    )
widgets.footer(ctx)
