"""Venues (缺载体): alumni associations in the ten cities, on an offline map."""

from __future__ import annotations

from ui import widgets
from ui.context import current

ctx = current()
data = widgets.area(ctx, "alumni", "page.alumni", per_row=1)
widgets.details(
    ctx, "alumni", data["cities"], ["city", "association_name", "founded_on", "members", "events", "period"]
)
widgets.footer(ctx)
