"""Pathways (缺路径): member development against plan, league-school branches."""

from __future__ import annotations

from ui import widgets
from ui.context import current

ctx = current()
data = widgets.area(ctx, "pathways", "page.pathways", per_row=2)
widgets.details(
    ctx,
    "pathways",
    data["units"],
    ["unit", "sector", "township", "planned", "admitted", "ceremonies", "has_league_school"],
)
widgets.footer(ctx)
