"""Venues (缺载体): Youth Homes by tier and township."""

from __future__ import annotations

from ui import widgets
from ui.context import current

ctx = current()
data = widgets.area(ctx, "venues", "page.venues", per_row=2)
widgets.details(
    ctx,
    "venues",
    data["homes"],
    ["venue_name", "township", "tier", "opened_on", "period", "activities", "participants"],
)
widgets.footer(ctx)
