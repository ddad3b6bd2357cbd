"""Policy (缺政策): party inspections of league affairs and rectification."""

from __future__ import annotations

from ui import widgets

widgets.area_page("inspections")  # declared in metrics/inspections.py: KPIs, tables, figures, PAGE
