"""Metrics: one module per reform area, each declaring its KPIs, tables and figures.

The explicit list below is the one place an area is registered; pages, exports
and the command line all go through it.
"""

from __future__ import annotations

from types import ModuleType

from metrics import alumni, funding, inspections, pathways, staffing, venues

AREA_MODULES: dict[str, ModuleType] = {
    "staffing": staffing,
    "venues": venues,
    "alumni": alumni,
    "pathways": pathways,
    "funding": funding,
    "inspections": inspections,
}
