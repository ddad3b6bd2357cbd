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

import pandas as pd

from reform import i18n
from reform.audience import Scope
from reform.config import Config, Target
from reform.datasets import DATASETS

EPSILON = 1e-9


class Query(Protocol):
    """What a metric needs from the store: a DataFrame or a value for a SQL query."""

    def df(self, sql: str, params: list[Any] | None = None) -> Any: ...

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any: ...

    def table(self, name: str, frame: Any) -> AbstractContextManager[None]: ...


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
    district_wide: bool = False  # a figure of the district as a whole (the flagship, the pilot funds): not
    # per township, so its coverage is the district's own report (a district programme's dataset always is)

    @property
    def label_key(self) -> str:
        return self.label or f"kpi.{self.key}"

    def met_by_township(self, values: Any, target: Target) -> Any:
        """Per township (a Series of its figures): whether it meets this KPI."""
        if self.township_met is not None:
            return self.township_met(values, target)
        return meets(values, target.target, self.direction)


@dataclass(frozen=True)
class Coverage:
    """Whose reports a district figure is made of, said beside it: 2025年第四季度 · 16/17 已报.

    A stock figure (``Dataset.stock``: posts filled, Youth Homes) takes each township's latest
    report: ``reported`` townships reported ``period``, the others' figures carry an ``earlier``
    one (其余沿用 2025年四季度). A flow (admissions, money) is of one period: ``reported`` townships
    reported it; below the configured share it is ``partial`` and compared like for like.
    """

    period: str | None = None  # the figure's period, as its canonical label (2025-Q4, 2025, 2025-04-14)
    reported: int | None = None  # units whose figure is of that period
    expected: int | None = None  # units the figure should cover
    earlier: str | None = None  # a stock: the latest earlier period the other townships' figures carry
    missing: tuple[str, ...] = ()  # townships without a figure: named (淤溪镇未报)
    partial: bool = False  # a flow figure fewer than the configured share reported (never compared as final)
    district: bool = False  # the district's own figure (团区委's report), not a sum over townships
    units: tuple[str, ...] = ()  # the units whose reports make the figure (a partial flow's comparison)

    def words(self, lang: str = i18n.DEFAULT) -> str:
        """``2025年第四季度 · 16/17 已报，其余沿用 2025年第三季度`` as every card, slide and export says it."""
        period = i18n.period_words(self.period, lang)
        if self.district or self.expected is None:
            return i18n.t("coverage.district", lang, period=period)
        text = i18n.t("coverage.reported", lang, period=period, n=self.reported, total=self.expected)
        if self.earlier:
            text += i18n.t("coverage.earlier", lang, earlier=i18n.period_words(self.earlier, lang))
        if self.missing and len(self.missing) <= MISSING_NAMED:
            text += i18n.t("coverage.missing", lang, names=i18n.names(self.missing, lang))
        return text

    @property
    def complete(self) -> bool:
        return self.expected is None or self.reported == self.expected


MISSING_NAMED = 3  # townships named beside a figure as not reported (more: the count says it)


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
    coverage: Coverage = field(default_factory=Coverage)  # whose reports it is made of, of which period

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
        for presentation in ("label", "dataset", "previous_numerator", "noun", "coverage"):
            del data[presentation]  # the figures; names and wording are the UI's (kpis --json keeps its shape)
        data["change"] = self.change
        data["trend"] = {str(k): v for k, v in self.trend.items()}
        cover = self.coverage
        data |= {
            "reported": cover.reported,
            "expected": cover.expected,
            "earlier": cover.earlier,
            "missing": list(cover.missing),
            "partial": cover.partial,
        }
        return data

    def display_coverage(self, lang: str = i18n.DEFAULT) -> str:
        """Its period and whose reports it is made of (``2025年 · 16/17 已报，淤溪镇未报``)."""
        return self.coverage.words(lang) if self.coverage.period or self.as_of is None else self._as_of_words(lang)

    def _as_of_words(self, lang: str) -> str:
        return i18n.period_words(self.as_of, lang)


def wan(yuan: float) -> str:
    """An amount in 万元 as a leader reads it: 500000 -> "50", 485000 -> "48.5", 12345 -> "1.23"."""
    value = yuan / 10_000
    text = f"{value:,.2f}" if abs(value) < 10 else f"{value:,.1f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def by_dataset(results: list[KpiResult]) -> dict[str, KpiResult]:
    """One result per dataset that says its period: a township figure's (n/N 已报) before a district one's."""
    found: dict[str, KpiResult] = {}
    for result in results:
        if not result.dataset or not (result.coverage.period or result.as_of):
            continue
        before = found.get(result.dataset)
        if before is None or (before.coverage.district and not result.coverage.district):
            found[result.dataset] = result
    return found


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
    """Measure a KPI as of its dataset's latest reported period (``as_reported``), the same period a
    year before, and each year of the scope (trend). A flow figure fewer than the configured share
    reported is compared with the same units a year before, never as if it were final."""
    target = cfg.targets.get(kpi.target_key) if kpi.target_key else None
    reporting = reporting_of(q, cfg, scope, kpi.dataset)
    scope = reporting.scope
    now = kpi.measure(q, cfg, scope)
    cover = coverage(q, cfg, scope, kpi, now, reporting.partial)
    trend = {year: kpi.measure(q, cfg, scope.at_year(year)).value for year in range(scope.first_year, scope.last_year)}
    trend[scope.last_year] = now.value
    earlier = scope.at_year(scope.last_year - 1)
    if cover.partial and cover.units:  # like for like: the units that reported now, a year earlier
        earlier = replace(earlier, townships=cover.units)
    before = kpi.measure(q, cfg, earlier)
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
        coverage=cover,
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


@dataclass(frozen=True)
class Reporting:
    """The scope a dataset's figures are computed in, and whether its period is below the configured share."""

    scope: Scope
    partial: bool = False


def _periods(q: Query, cfg: Config, scope: Scope, dataset: str) -> pd.DataFrame:
    """The periods of ``dataset`` within the scope, newest first, each with how many townships (or, for
    the district's own reports, whether the district) reported it."""
    declared = DATASETS[dataset]
    start, end = declared.time_sql
    has_town = "township" in declared.column_map and declared.owner == "township"  # a programme: the district's
    units, params = in_list(scope.units(cfg)) if has_town else ("(NULL)", [])
    towns, town_params = in_list(scope.towns(cfg)) if has_town else ("(NULL)", [])
    where = f"township IN {units}" if has_town else "true"
    reporter = f"count(DISTINCT township) FILTER (WHERE township IN {towns})" if has_town else "count(DISTINCT 1)"
    return q.df(
        f"""SELECT {start} AS r_start, {end} AS r_end, {reporter} AS reporters
            FROM current_{dataset} WHERE {start} >= ? AND {start} <= ? AND {where}
            GROUP BY ALL ORDER BY r_end DESC, r_start""",
        [*town_params, scope.start, scope.end, *params],
    )


def reporting_of(q: Query, cfg: Config, scope: Scope, dataset: str | None) -> Reporting:
    """Where a dataset's figures stand within the scope.

    - a **stock** (``Dataset.stock``) is as of the newest period anyone reported: each unit's latest
      report counts until it reports again (其余沿用), so one early report moves no other unit's figure;
    - a **flow** owed periodically is as of the newest period at least ``complete_share`` of the
      expected reporters have reported (a deadline alone does not make one township's year the
      district's); when no period has reached it, the newest one, marked partial;
    - a dataset not owed periodically (inspections) is as of the last year it has data.
    """
    if dataset is None:
        return Reporting(scope)
    periods = _periods(q, cfg, scope, dataset)
    if periods.empty:
        return Reporting(scope)
    declared = DATASETS[dataset]
    duty = next((d for d in cfg.duties if d.dataset == dataset), None)
    newest = pd.Timestamp(periods["r_end"].iloc[0]).date()
    if declared.grain == "date":  # rounds, not periods: the figure is as of the year of the last one
        newest = date(newest.year, 12, 31)
    if declared.stock or duty is None:
        return Reporting(_through(scope, newest))
    by_towns = duty.by != "district" and "township" in declared.column_map and declared.owner == "township"
    expected = max(1, len(scope.towns(cfg))) if by_towns else 1
    for r_end, reporters in zip(periods["r_end"], periods["reporters"], strict=True):
        if reporters >= duty.complete_share * expected - EPSILON:
            return Reporting(_through(scope, pd.Timestamp(r_end).date()))
    return Reporting(_through(scope, newest), partial=True)


def _through(scope: Scope, last: date) -> Scope:
    """The scope cut at ``last`` (the end of the figure's period), when that is before its end."""
    if last >= scope.end:
        return scope
    return replace(scope, last_year=last.year, first_year=min(scope.first_year, last.year), until=last)


def as_reported(q: Query, cfg: Config, scope: Scope, dataset: str | None) -> Scope:
    """The scope a figure of ``dataset`` is computed in (``reporting_of``): no figure is blank or partial
    because another dataset, or a few early reporters, moved on to a new period."""
    return reporting_of(q, cfg, scope, dataset).scope


def coverage(q: Query, cfg: Config, scope: Scope, kpi: Kpi, now: Measure, partial: bool = False) -> Coverage:
    """Whose reports ``now`` (measured in ``scope``) is made of: for a township figure, each township's
    newest report within the scope (a stock's earlier ones carry; a flow's count only in its period).
    One aggregate in SQL per dataset and scope (the KPIs of a dataset share it on one reader)."""
    declared = DATASETS.get(kpi.dataset or "")
    towns = scope.towns(cfg)
    if declared is None or kpi.district_wide or declared.owner == "district" or "township" not in declared.column_map:
        return Coverage(now.as_of, int(now.value is not None), 1, district=True)
    start, _ = declared.time_sql
    names, params = in_list(scope.units(cfg))
    found = q.df(
        f"""WITH l AS (SELECT township, max({start}) AS latest, arg_max({declared.label_sql}, {start}) AS label
                       FROM current_{declared.name} WHERE {start} BETWEEN ? AND ? AND township IN {names}
                       GROUP BY township),
                 n AS (SELECT max(latest) AS newest FROM l)
            SELECT any_value(label) FILTER (WHERE latest = newest) AS period,
                   arg_max(label, latest) FILTER (WHERE latest < newest AND township <> ?) AS earlier,
                   coalesce(list(township) FILTER (WHERE latest = newest), []) AS now_units,
                   coalesce(list(township), []) AS any_units
            FROM l, n""",
        [scope.start, scope.end, *params, cfg.committee],
    ).iloc[0]
    now_units, any_units = set(found["now_units"]), set(found["any_units"])
    if not any_units:
        return Coverage(now.as_of, 0, len(towns), missing=tuple(towns), partial=partial)
    reported = [t for t in towns if t in now_units]
    absent = [t for t in towns if t not in (any_units if declared.stock else now_units)]
    return Coverage(
        str(found["period"]),
        len(reported),
        len(towns),
        earlier=None if not declared.stock or pd.isna(found["earlier"]) else str(found["earlier"]),
        missing=tuple(absent),
        partial=partial and not declared.stock,
        units=tuple(sorted(now_units, key=_order(cfg))),
    )


def _order(cfg: Config) -> Callable[[str], int]:
    """Sort key: townships in their configured order, then the district committee, then anything else."""
    place = {name: i for i, name in enumerate([*cfg.township_names, cfg.committee])}
    return lambda name: place.get(name, len(place))
