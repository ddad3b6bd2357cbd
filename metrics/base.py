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
class AreaPage:
    """How an area's page is laid out: its menu icon, charts per row, and the table behind a switch."""

    icon: str
    per_row: int
    details_table: str
    details_columns: tuple[str, ...]


UNITS = ("ratio", "share", "count", "count_of", "yuan", "yuan_per_capita")
DIRECTIONS = ("at_least", "at_most")


def meets(values: Any, target: float, direction: str) -> Any:
    """Whether values (a number or a pandas Series) reach a target in the KPI's direction."""
    return values <= target + EPSILON if direction == "at_most" else values >= target - EPSILON


@dataclass(frozen=True)
class Kpi:
    """A declared KPI: which shortage it belongs to, how to measure it, what it is held to.

    Declared once, in its area's module: its label (an i18n key), unit and direction, the key of
    its target in ``config.yaml``, and, where townships are ranked on it, the league table's
    column and the rule by which one township meets it. The semantic validator
    (``metrics.semantic``) checks every declaration against the configuration and the strings.
    """

    key: str
    area: str
    unit: str  # ratio | share (a ratio shown as n/N) | count | count_of (a count shown as n/N) | yuan | yuan_per_capita
    measure: Callable[[Query, Config, Scope], Measure]
    target_key: str | None = None  # key in config.yaml targets; None: informational
    direction: str = "at_least"  # at_least: higher is better | at_most: lower is better
    label: str = ""  # i18n key of its name; kpi.<key> when empty
    township_column: str | None = None  # its per-township figure in the league table, if ranked
    township_met: Callable[[Any, Target], Any] | None = None  # one township meets it; default: meets the target

    @property
    def label_key(self) -> str:
        return self.label or f"kpi.{self.key}"

    def met_by_township(self, values: Any, target: Target) -> Any:
        """Per township (a Series of its figures): whether it meets this KPI."""
        if self.township_met is not None:
            return self.township_met(values, target)
        return meets(values, target.target, self.direction)


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
    label: str = ""  # i18n key of the KPI's name

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", f"kpi.{self.key}")

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
        del data["label"]  # the figures; a KPI's name is the UI's (kpis --json keeps its shape)
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


def rag(value: float | None, target: Target | None, direction: str = "at_least") -> str:
    """Green at or past the target, amber at or past the amber threshold, red beyond it."""
    if target is None:
        return "info" if value is not None else "none"
    if value is None:
        return "none"
    if meets(value, target.target, direction):
        return "green"
    return "amber" if meets(value, target.amber, direction) else "red"


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
        direction=None if target is None else kpi.direction,
        status=rag(now.value, target, kpi.direction),
        previous=previous,
        as_of=now.as_of,
        trend=trend,
        label=kpi.label_key,
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
