"""People (缺人员): cadres, youth assistant officers, secretary vacancies."""

from __future__ import annotations

import streamlit as st

from ui import widgets
from ui.context import current

ctx = current()
data = widgets.area(ctx, "staffing", "page.staffing", per_row=2)
with st.expander(ctx.t("details.staffing")):
    widgets.table(
        ctx,
        data["by_township"],
        ["township", "cadre_authorized", "cadre_filled", "officer_filled", "secretary_authorized", "secretary_vacant"],
        key="staffing.details",
    )
widgets.footer(ctx)
