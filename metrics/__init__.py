"""Metrics: one module per reform area, each declaring its KPIs, tables and figures.

The explicit lists below are the one place an area is registered; pages, slides, summaries,
the league table, exports and the command line all go through them. An extension (or a test)
adds a KPI with ``register_kpi``; ``metrics.semantic.problems`` checks every declaration.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from metrics import alumni, funding, inspections, pathways, staffing, venues

if TYPE_CHECKING:
    from metrics.base import Kpi

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


AREAS: tuple[str, ...] = tuple(AREA_KPIS)  # the four shortages, in the order every view shows them
_EXTRA_KPIS: dict[str, list[Kpi]] = {}


def register_kpi(module: str, kpi: Kpi) -> Kpi:
    """Add a KPI to an area module (shown with its page, its shortage, slides, summaries and the CLI)."""
    if module not in AREA_MODULES:
        raise KeyError(f"no area module {module!r}")
    _EXTRA_KPIS.setdefault(module, []).append(kpi)
    return kpi


def kpis_of(module: str) -> tuple[Kpi, ...]:
    """The KPIs an area module declares, with any registered for it (measured from its dataset unless
    a KPI names another)."""
    from dataclasses import replace

    found = (*AREA_MODULES[module].KPIS, *_EXTRA_KPIS.get(module, ()))
    dataset = getattr(AREA_MODULES[module], "DATASET", None)
    return tuple(k if k.dataset else replace(k, dataset=dataset) for k in found)


def all_kpis() -> tuple[Kpi, ...]:
    """Every KPI, in the order of the four shortages."""
    every = [k for module in AREA_MODULES for k in kpis_of(module)]
    return tuple(sorted(every, key=lambda k: AREAS.index(k.area)))


def slide_names() -> tuple[str, ...]:
    """Every slide meeting mode can show: title, kpis:AREA, chart:MODULE.FIGURE, ranking, league."""
    charts = [f"chart:{name}.{figure}" for name, module in AREA_MODULES.items() for figure in module.FIGURES]
    return ("title", *(f"kpis:{area}" for area in AREA_KPIS), *charts, "ranking", "league")


def kpi_pages() -> dict[str, str]:
    """KPI key -> the area module (and page) that shows its detail."""
    return {k.key: name for name in AREA_MODULES for k in kpis_of(name)}
