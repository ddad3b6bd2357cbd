"""Pathways (缺路径): member development against plan, league-school branches."""

from __future__ import annotations

from ui import widgets

widgets.area_page("pathways")  # declared in metrics/pathways.py: KPIs, tables, figures, PAGE
