"""What a metric is: a declared KPI, the scope it is computed over, and its result.

A KPI is declared once (key, shortage area, unit, target key) with a function
that measures it from the store; the same ``KpiResult`` feeds a page, a slide, the
command line and a test. Pure Python: no Streamlit here.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Protocol

import pandas as pd

from reform import i18n
from reform.config import Config, Target
from reform.datasets import DATASETS

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
    until: date | None = None  # the last day counted, when earlier than the last year's end (as reported)
    today: date | None = None  # the day that decides what counts as reported (part of every cache key)
    published: int | None = None  # with review on: only approved figures, as of this review version

    @property
    def start(self) -> date:
        return date(self.first_year, 1, 1)

    @property
    def end(self) -> date:
        return self.until or date(self.last_year, 12, 31)

    def units(self, cfg: Config) -> list[str]:
        """Reporting units in scope: the chosen ones, or every township and the district committee."""
        return list(self.townships) if self.townships else [*cfg.township_names, cfg.committee]

    def towns(self, cfg: Config) -> list[str]:
        """Townships in scope (without the district committee): the denominators of coverage."""
        return [t for t in self.units(cfg) if t != cfg.committee]

    def at_year(self, year: int) -> Scope:
        """The same scope as of an earlier year (for the change and the trend): the same period a year
        earlier, when the scope ends within a year (2026-Q3 → 2025-Q3)."""
        until = None
        if self.until is not None and year < self.until.year:
            until = _same_day(self.until, year)
        return replace(self, last_year=year, first_year=min(self.first_year, year), until=until)

    def to_dict(self) -> dict[str, Any]:
        """The scope as asked for (a cut-off or a day left unset is not shown)."""
        return {k: v for k, v in asdict(self).items() if k not in ("until", "today", "published") or v is not None}


def _same_day(day: date, year: int) -> date:
    """The same day of another year (29 February becomes the 28th)."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


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
    dataset: str | None = None  # the dataset it is measured from (its module's DATASET when not given)
    township_met: Callable[[Any, Target], Any] | None = None  # one township meets it; default: meets the target
    noun: str = ""  # i18n key of what its count (or a share's numerator) counts: noun.townships, noun.schools …

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
    dataset: str | None = None  # the dataset it is measured from
    previous_numerator: float | None = None  # the numerator a year earlier (a share's change is a count)
    noun: str = ""  # i18n key of what a count counts (个镇街, 所中学): a count's change is said in it

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
        """The change on the same period a year earlier, in the KPI's own unit: percentage points for a
        rate, a count for a count or a share of townships (+1 个镇街), 元/人 and 万元 for money."""
        change = self.change
        if change is None:
            return None
        noun = i18n.t(self.noun, lang) if self.noun else ""
        if self.unit == "share" and self.numerator is not None and self.previous_numerator is not None:
            return i18n.t("change.count", lang, value=f"{self.numerator - self.previous_numerator:+.0f}", noun=noun)
        if self.unit in ("ratio", "share"):
            return i18n.t("change.points", lang, value=f"{change * 100:+.1f}")
        if self.unit == "yuan_per_capita":
            return i18n.t("change.yuan_per_capita", lang, value=f"{change:+.2f}")
        if self.unit == "yuan":
            return i18n.t("change.wan_yuan", lang, value=f"{change / 10000:+,.1f}".replace(".0", ""))
        return i18n.t("change.count", lang, value=f"{change:+,.0f}", noun=noun)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for presentation in ("label", "dataset", "previous_numerator", "noun"):
            del data[presentation]  # the figures; names and wording are the UI's (kpis --json keeps its shape)
        data["change"] = self.change
        data["trend"] = {str(k): v for k, v in self.trend.items()}
        return data


def wan(yuan: float) -> str:
    """An amount in 万元 as a leader reads it: 500000 -> "50", 485000 -> "48.5", 12345 -> "1.23"."""
    value = yuan / 10_000
    text = f"{value:,.2f}" if abs(value) < 10 else f"{value:,.1f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(unit: str, value: float | None, numerator: float | None, denominator: float | None, lang: str) -> str:
    if value is None:
        return i18n.t("kpi.no_data", lang)
    if unit in ("share", "count_of") and numerator is not None and denominator:
        return i18n.t("unit.of", lang, value=f"{numerator:.0f}", total=f"{denominator:.0f}")
    if unit in ("ratio", "share"):
        return f"{value * 100:.1f}%"
    if unit == "yuan":  # money in 万元, as on every chart
        return i18n.t("unit.wan_yuan", lang, value=wan(value))
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
    """Measure a KPI as of its dataset's latest reported period, the same period a year before, and
    each year of the scope (trend)."""
    target = cfg.targets.get(kpi.target_key) if kpi.target_key else None
    scope = as_reported(q, cfg, scope, kpi.dataset)  # as of its own dataset's latest reported period
    now = kpi.measure(q, cfg, scope)
    trend = {year: kpi.measure(q, cfg, scope.at_year(year)).value for year in range(scope.first_year, scope.last_year)}
    trend[scope.last_year] = now.value
    before = kpi.measure(q, cfg, scope.at_year(scope.last_year - 1))
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
        previous=before.value,
        as_of=now.as_of,
        trend=trend,
        label=kpi.label_key,
        dataset=kpi.dataset,
        previous_numerator=before.numerator,
        noun=kpi.noun,
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


def reported_through(q: Query, cfg: Config, scope: Scope, dataset: str) -> date | None:
    """The last day of the latest period of ``dataset``, within the scope, that counts as reported:
    its deadline has passed, or at least the configured share of the expected reporters has
    reported it (``reporting.datasets.X.complete_share``). None: no period counts (figures then use
    whatever is there); a dataset that is not owed periodically has no cut-off (its scope's end).
    """
    duty = next((d for d in cfg.duties if d.dataset == dataset), None)
    if duty is None:
        return scope.end
    declared = DATASETS[dataset]
    start, end = declared.time_sql
    has_town = "township" in declared.column_map
    units, params = in_list(scope.units(cfg)) if has_town else ("(NULL)", [])
    where = f"township IN {units}" if has_town else "true"
    reporter = "township" if has_town else "1"
    periods = q.df(
        f"""SELECT {start} AS r_start, {end} AS r_end, count(DISTINCT {reporter}) AS reporters
            FROM current_{dataset} WHERE {start} >= ? AND {start} <= ? AND {where}
            GROUP BY ALL ORDER BY r_end DESC, r_start""",
        [scope.start, scope.end, *params],
    )
    expected = 1 if duty.by == "district" else max(1, len(scope.towns(cfg)))
    today = scope.today or cfg.today()
    for r_end, reporters in zip(periods["r_end"], periods["reporters"], strict=True):
        last = pd.Timestamp(r_end).date()
        due = last + timedelta(days=duty.due_days)
        if today > due or reporters >= duty.complete_share * expected:
            return min(last, scope.end)
    return None


def as_reported(q: Query, cfg: Config, scope: Scope, dataset: str | None) -> Scope:
    """The scope a figure of ``dataset`` is computed in: up to its latest period that counts as
    reported, so that no figure is blank or partial because another dataset, or a few early
    reporters, moved on to a new period."""
    if dataset is None:
        return scope
    through = reported_through(q, cfg, scope, dataset)
    if through is None or through >= scope.end:
        return scope
    return replace(scope, last_year=through.year, first_year=min(scope.first_year, through.year), until=through)
