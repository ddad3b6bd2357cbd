"""Venues (缺载体): Youth Homes by tier and township."""

from __future__ import annotations

from ui import widgets

widgets.area_page("venues")  # declared in metrics/venues.py: KPIs, tables, figures, PAGE
