"""People (缺人员): cadres, youth assistant officers, secretary vacancies."""

from __future__ import annotations

from ui import widgets
from ui.context import current

ctx = current()
data = widgets.area(ctx, "staffing", "page.staffing", per_row=2)
widgets.details(
    ctx,
    "staffing",
    data["by_township"],
    ["township", "cadre_authorized", "cadre_filled", "officer_filled", "secretary_authorized", "secretary_vacant"],
)
widgets.footer(ctx)
