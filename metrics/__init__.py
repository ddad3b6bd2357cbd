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

AREA_KPIS: dict[str, tuple[str, ...]] = {  # the four shortages and the modules whose KPIs they gather
    "people": ("staffing",),
    "venues": ("venues", "alumni"),
    "pathways": ("pathways",),
    "policy": ("funding", "inspections"),
}


def slide_names() -> tuple[str, ...]:
    """Every slide meeting mode can show: title, kpis:AREA, chart:MODULE.FIGURE, league."""
    charts = [f"chart:{name}.{figure}" for name, module in AREA_MODULES.items() for figure in module.FIGURES]
    return ("title", *(f"kpis:{area}" for area in AREA_KPIS), *charts, "league")
