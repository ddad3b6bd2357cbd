"""Policy (缺政策): per-capita youth funding and reform pilot funds."""

from __future__ import annotations

import streamlit as st

from ui import widgets
from ui.context import current

ctx = current()
data = widgets.area(ctx, "funding", "page.funding", per_row=2)
with st.expander(ctx.t("details.funding")):
    widgets.table(
        ctx,
        data["per_capita"],
        ["township", "amount", "population", "per_capita"],
        key="funding.details",
    )
widgets.footer(ctx)
