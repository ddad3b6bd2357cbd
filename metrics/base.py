"""What a metric is: a declared KPI, the scope it is computed over, and its result.

A KPI is declared once (key, shortage area, unit, target key) with a function
that measures it from the store; the same ``KpiResult`` feeds a page, a slide, the
command line and a test. Pure Python: no Streamlit here.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any, Protocol

from reform import i18n
from reform.config import Config, Target

EPSILON = 1e-9
AREAS = ("people", "venues", "pathways", "policy")


class Query(Protocol):
    """What a metric needs from the store: a DataFrame or a value for a SQL query."""

    def df(self, sql: str, params: list[Any] | None = None) -> Any: ...

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any: ...

    def table(self, name: str, frame: Any) -> AbstractContextManager[None]: ...


@dataclass(frozen=True)
class Scope:
    """The years and units a figure covers. No townships chosen means the whole district."""

    first_year: int
    last_year: int
    townships: tuple[str, ...] = ()

    @property
    def start(self) -> date:
        return date(self.first_year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.last_year, 12, 31)

    def units(self, cfg: Config) -> list[str]:
        """Reporting units in scope: the chosen ones, or every township and the district committee."""
        return list(self.townships) if self.townships else [*cfg.township_names, cfg.committee]

    def towns(self, cfg: Config) -> list[str]:
        """Townships in scope (without the district committee): the denominators of coverage."""
        return [t for t in self.units(cfg) if t != cfg.committee]

    def at_year(self, year: int) -> Scope:
        """The same scope as of an earlier year (for the change and the trend)."""
        return replace(self, last_year=year, first_year=min(self.first_year, year))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Measure:
    """A measured value, with its parts when it is a ratio (numerator ÷ denominator)."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    as_of: str | None = None


@dataclass(frozen=True)
class Kpi:
    """A declared KPI: which shortage it belongs to, how to measure it, what it is held to."""

    key: str
    area: str
    unit: str  # ratio | share (a ratio shown as n/N) | count | count_of (a count shown as n/N) | yuan | yuan_per_capita
    measure: Callable[[Query, Config, Scope], Measure]
    target_key: str | None = None  # key in config.yaml targets; None: informational


@dataclass(frozen=True)
class KpiResult:
    """A KPI's value in a scope, with target, RAG status, change and trend."""

    key: str
    area: str
    unit: str
    value: float | None
    numerator: float | None
    denominator: float | None
    target: float | None
    amber: float | None
    direction: str | None
    status: str  # green | amber | red | none | info
    previous: float | None
    as_of: str | None
    trend: dict[int, float | None] = field(default_factory=dict)

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    def display(self, lang: str = i18n.DEFAULT) -> str:
        """The value as a leader reads it: ``16/17``, ``94.1%``, ``2.67 元/人``."""
        return format_value(self.unit, self.value, self.numerator, self.denominator, lang)

    def display_target(self, lang: str = i18n.DEFAULT) -> str:
        if self.target is None:
            return i18n.t("kpi.no_target", lang)
        denominator = self.denominator if self.unit == "share" else None
        value = format_value(
            self.unit, self.target, None if denominator is None else self.target * denominator, denominator, lang
        )
        return i18n.t("kpi.target", lang, target=value)

    def display_change(self, lang: str = i18n.DEFAULT) -> str | None:
        change = self.change
        if change is None:
            return None
        if self.unit in ("ratio", "share"):
            text = f"{change * 100:+.1f}%"
        elif self.unit == "yuan_per_capita":
            text = f"{change:+.2f}"
        else:
            text = f"{change:+,.0f}"
        return text

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["change"] = self.change
        data["trend"] = {str(k): v for k, v in self.trend.items()}
        return data


def format_value(unit: str, value: float | None, numerator: float | None, denominator: float | None, lang: str) -> str:
    if value is None:
        return i18n.t("kpi.no_data", lang)
    if unit in ("share", "count_of") and numerator is not None and denominator:
        return i18n.t("unit.of", lang, value=f"{numerator:.0f}", total=f"{denominator:.0f}")
    if unit in ("ratio", "share"):
        return f"{value * 100:.1f}%"
    if unit == "yuan":
        return i18n.t("unit.yuan", lang, value=f"{value:,.0f}")
    if unit == "yuan_per_capita":
        return i18n.t("unit.yuan_per_capita", lang, value=f"{value:.2f}")
    return f"{value:,.0f}"


def rag(value: float | None, target: Target | None) -> str:
    """Green at or past the target, amber at or past the amber threshold, red beyond it."""
    if target is None:
        return "info" if value is not None else "none"
    if value is None:
        return "none"
    if target.direction == "at_most":
        if value <= target.target + EPSILON:
            return "green"
        return "amber" if value <= target.amber + EPSILON else "red"
    if value >= target.target - EPSILON:
        return "green"
    return "amber" if value >= target.amber - EPSILON else "red"


def evaluate(kpi: Kpi, q: Query, cfg: Config, scope: Scope) -> KpiResult:
    """Measure a KPI in a scope, the year before, and each year of the scope (trend)."""
    target = cfg.targets.get(kpi.target_key) if kpi.target_key else None
    now = kpi.measure(q, cfg, scope)
    trend = {year: kpi.measure(q, cfg, scope.at_year(year)).value for year in range(scope.first_year, scope.last_year)}
    trend[scope.last_year] = now.value
    previous = (
        trend.get(scope.last_year - 1)
        if scope.last_year > scope.first_year
        else kpi.measure(q, cfg, scope.at_year(scope.last_year - 1)).value
    )
    return KpiResult(
        key=kpi.key,
        area=kpi.area,
        unit=kpi.unit,
        value=now.value,
        numerator=now.numerator,
        denominator=now.denominator,
        target=None if target is None else target.target,
        amber=None if target is None else target.amber,
        direction=None if target is None else target.direction,
        status=rag(now.value, target),
        previous=previous,
        as_of=now.as_of,
        trend=trend,
    )


def ratio(numerator: float | None, denominator: float | None, as_of: str | None = None) -> Measure:
    """A ratio of sums; no denominator means no figure (never a zero)."""
    if numerator is None or not denominator:
        return Measure(None, numerator, denominator, as_of)
    return Measure(float(numerator) / float(denominator), float(numerator), float(denominator), as_of)


def in_list(values: list[str]) -> tuple[str, list[Any]]:
    """SQL and parameters for ``IN …``: one list parameter, however many values.

    A province has 1,200 townships: 1,200 placeholders cost DuckDB ~11 ms of binding per
    query, one VARCHAR[] parameter ~1 ms (bench/RESULTS.md).
    """
    if not values:
        return "(NULL)", []
    return "(SELECT unnest(?::VARCHAR[]))", [list(values)]
