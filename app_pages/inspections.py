"""Policy (缺政策): party inspections of league affairs and rectification."""

from __future__ import annotations

from ui import widgets
from ui.context import current

ctx = current()
data = widgets.area(ctx, "inspections", "page.inspections", per_row=2)
widgets.details(
    ctx,
    "inspections",
    data["established"],
    ["unit_name", "unit_type", "round", "inspected_on", "issues_found", "rectification"],
)
widgets.footer(ctx)
