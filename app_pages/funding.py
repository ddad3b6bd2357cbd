"""Policy (缺政策): per-capita youth funding and reform pilot funds."""

from __future__ import annotations

from ui import widgets
from ui.context import current

ctx = current()
data = widgets.area(ctx, "funding", "page.funding", per_row=2)
widgets.details(ctx, "funding", data["per_capita"], ["township", "amount", "population", "per_capita"])
widgets.footer(ctx)
