"""Venues (缺载体): alumni associations in the ten cities, on an offline map."""

from __future__ import annotations

from ui import widgets

widgets.area_page("alumni")  # declared in metrics/alumni.py: KPIs, tables, figures, PAGE
