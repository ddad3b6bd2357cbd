"""Policy (缺政策): per-capita youth funding and reform pilot funds."""

from __future__ import annotations

from ui import widgets

widgets.area_page("funding")  # declared in metrics/funding.py: KPIs, tables, figures, PAGE
