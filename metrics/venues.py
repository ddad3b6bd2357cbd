"""Venues (缺载体), part one: Youth Homes (青年之家) in three tiers.

A township's Youth Homes are those of its latest reported period within the
scope: a home left out of a re-upload is gone. The flagship is a district figure
and is counted whatever townships are chosen.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from metrics import charts
from metrics.base import AreaPage, Kpi, Measure, Query, Scope, as_reported, in_list, ratio
from reform import i18n
from reform.config import Config
from reform.datasets import VENUES

AREA = "venues"
DATASET = "venues"  # the dataset its figures are measured from
TIER_ORDER = ("flagship", "specialty", "shared")


def _latest(units: list[str]) -> tuple[str, list[str]]:
    """SQL for the Youth Homes of each unit's latest period in scope (``h``), and its unit parameters."""
    names, params = in_list(units)
    return (
        f"""WITH latest AS (
                SELECT township, max(period_start) AS period_start FROM current_venues
                WHERE period_start BETWEEN ? AND ? AND township IN {names} GROUP BY township),
            h AS (SELECT v.* FROM current_venues v JOIN latest USING (township, period_start))""",
        params,
    )


def homes(q: Query, cfg: Config, scope: Scope, units: list[str] | None = None) -> pd.DataFrame:
    """The Youth Homes of each unit's latest period in scope (all units when ``units`` is None)."""
    latest, params = _latest(units if units is not None else [*cfg.township_names, cfg.committee])
    return q.df(
        f"""{latest}
            SELECT venue_name, township, tier, opened_on, period, activities, participants
            FROM h ORDER BY township, tier, venue_name""",
        [scope.start, scope.end, *params],
    )


def by_township(q: Query, cfg: Config, scope: Scope, units: list[str]) -> pd.DataFrame:
    """Count of Youth Homes per unit and tier as of each unit's latest period (zeros where a unit has none)."""
    latest, params = _latest(units)
    tiers = ", ".join(f"count(*) FILTER (WHERE tier = '{t}') AS {t}" for t in TIER_ORDER)
    counts = q.df(f"{latest} SELECT township, {tiers} FROM h GROUP BY township", [scope.start, scope.end, *params])
    counts = counts.set_index("township").reindex(index=units, columns=list(TIER_ORDER)).fillna(0).astype(int)
    return counts.reset_index(names="township")


def _counts(q: Query, scope: Scope, units: list[str]) -> pd.Series:
    """Flagships, townships with a specialty home, and the latest period, over the units' latest homes."""
    latest, params = _latest(units)
    return q.df(
        f"""{latest}
            SELECT count(*) AS homes, count(*) FILTER (WHERE tier = 'flagship') AS flagship,
                   count(DISTINCT township) FILTER (WHERE tier = 'specialty') AS specialty_towns,
                   max(period) AS as_of
            FROM h""",
        [scope.start, scope.end, *params],
    ).iloc[0]


def flagship_homes(q: Query, cfg: Config, scope: Scope) -> Measure:
    """Flagship Youth Homes in the whole district."""
    counts = _counts(q, scope, [*cfg.township_names, cfg.committee])
    if not int(counts["homes"]):
        return Measure(None)
    return Measure(float(counts["flagship"]), as_of=str(counts["as_of"]))


def specialty_coverage(q: Query, cfg: Config, scope: Scope) -> Measure:
    """Townships with at least one specialty Youth Home ÷ townships in scope."""
    towns = scope.towns(cfg)
    counts = _counts(q, scope, towns)
    as_of = str(counts["as_of"]) if int(counts["homes"]) else None
    return ratio(int(counts["specialty_towns"]), len(towns), as_of)


KPIS = (
    Kpi("flagship_homes", AREA, "count", flagship_homes, "flagship_homes", noun="noun.homes", district_wide=True),
    Kpi(
        "specialty_coverage",
        AREA,
        "share",
        specialty_coverage,
        "specialty_coverage",
        township_column="specialty_homes",
        township_met=lambda homes, _target: homes >= 1,
        noun="noun.townships",
    ),
)


def activity_by_year(q: Query, cfg: Config, scope: Scope) -> pd.DataFrame:
    names, params = in_list(scope.units(cfg))
    return q.df(
        f"""SELECT year(period_start) AS year, sum(activities) AS activities, sum(participants) AS participants,
                   count(*) AS homes
            FROM current_venues WHERE period_start BETWEEN ? AND ? AND township IN {names}
            GROUP BY ALL ORDER BY year""",
        [scope.start, scope.end, *params],
    )


PAGE = AreaPage(
    ":material/home_work:",
    2,
    "homes",
    ("venue_name", "township", "tier", "opened_on", "period", "activities", "participants"),
)  # menu icon, charts per row, details behind a switch

FIGURES = ("by_tier", "by_township", "activity")  # the names of figures(), usable as slides: chart:<area>.<name>


def tables(q: Query, cfg: Config, scope: Scope) -> dict[str, pd.DataFrame]:
    scope = as_reported(q, cfg, scope, DATASET)  # as of this dataset's latest reported period
    units = scope.units(cfg)
    return {
        "homes": homes(q, cfg, scope, units),
        "by_township": by_township(q, cfg, scope, units),
        "activity": activity_by_year(q, cfg, scope),
    }


def figures(data: dict[str, pd.DataFrame], cfg: Config, lang: str) -> dict[str, go.Figure]:
    tier = VENUES.column("tier")
    labels = {t: i18n.choice(tier, t, lang) for t in TIER_ORDER}
    frame = data["homes"]
    counts = [int((frame["tier"] == t).sum()) for t in TIER_ORDER]
    fig_tier = charts.donut(labels, counts, i18n.t("chart.homes_by_tier", lang), lang, palette=cfg.palette)
    towns = data["by_township"]
    towns = towns[towns["township"] != cfg.committee]
    fig_towns = charts.township_groups(
        towns,
        {t: labels[t] for t in ("specialty", "shared")},
        i18n.t("chart.homes_by_township", lang),
        lang,
        palette=cfg.palette,
        stacked=True,
        axis_title=i18n.t("chart.homes", lang),
    )
    fig_activity = charts.two_measures(
        data["activity"],
        "year",
        ("activities", i18n.t("chart.events", lang)),
        ("participants", i18n.t("chart.participants", lang)),
        i18n.t("chart.homes_activity", lang),
        lang,
        palette=cfg.palette,
    )
    return {"by_tier": fig_tier, "by_township": fig_towns, "activity": fig_activity}
