"""A township clerk's home (我的报送): what the unit owes, what waits for review, what came back and why."""

from __future__ import annotations

from ui import clerk_view, widgets
from ui.context import current

ctx = current("home")
widgets.header(ctx, "page.home")
clerk_view.home(ctx)
widgets.footer(ctx)
