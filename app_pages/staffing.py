"""People (缺人员): cadres, youth assistant officers, secretary vacancies."""

from __future__ import annotations

from ui import widgets

widgets.area_page("staffing")  # declared in metrics/staffing.py: KPIs, tables, figures, PAGE
