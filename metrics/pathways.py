"""Pathways (缺路径): member development against plan, and league-school branches.

Figures are for the scope's last year. The completion rate over several units is
admitted ÷ planned summed over them (a ratio of sums). "Every middle school"
(每个中学) means junior and senior secondary schools: sectors 初中 and 高中.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from metrics import charts
from metrics.base import AreaPage, Kpi, Measure, Query, Scope, as_reported, in_list, ratio
from reform import i18n
from reform.config import Config

AREA = "pathways"
DATASET = "members"  # the dataset its figures are measured from
MIDDLE_SCHOOLS = ("middle_school", "high_school")


def units(q: Query, cfg: Config, scope: Scope, year: int | None = None) -> pd.DataFrame:
    """Member-development rows of the units in scope for one year (default: the last)."""
    names, params = in_list(scope.units(cfg))
    return q.df(
        f"""SELECT unit, sector, township, year, planned, admitted, ceremonies, has_league_school
            FROM current_members WHERE year = ? AND township IN {names} ORDER BY township, unit""",
        [year or scope.last_year, *params],
    )


def _totals(q: Query, cfg: Config, scope: Scope) -> pd.Series:
    """The last year's sums over the units in scope, aggregated in SQL."""
    names, params = in_list(scope.units(cfg))
    schools = ", ".join(f"'{s}'" for s in MIDDLE_SCHOOLS)
    return q.df(
        f"""SELECT count(*) AS n, sum(admitted) AS admitted, sum(planned) AS planned,
                   count(*) FILTER (WHERE sector IN ({schools})) AS schools,
                   count(*) FILTER (WHERE sector IN ({schools}) AND coalesce(has_league_school, false)) AS branches
            FROM current_members WHERE year = ? AND township IN {names}""",
        [scope.last_year, *params],
    ).iloc[0]


def member_development_rate(q: Query, cfg: Config, scope: Scope) -> Measure:
    totals = _totals(q, cfg, scope)
    if not int(totals["n"]):
        return Measure(None)
    return ratio(totals["admitted"], totals["planned"], str(scope.last_year))


def league_school_coverage(q: Query, cfg: Config, scope: Scope) -> Measure:
    """Middle schools with a league-school branch ÷ middle schools reported."""
    totals = _totals(q, cfg, scope)
    if not int(totals["schools"]):
        return Measure(None)
    return ratio(int(totals["branches"]), int(totals["schools"]), str(scope.last_year))


KPIS = (
    Kpi(
        "member_development_rate",
        AREA,
        "ratio",
        member_development_rate,
        "member_development_rate",
        township_column="member_development_rate",
    ),
    Kpi("league_school_coverage", AREA, "share", league_school_coverage, "league_school_coverage", noun="noun.schools"),
)


def by_township(q: Query, cfg: Config, scope: Scope, year: int | None = None, towns_only: bool = False) -> pd.DataFrame:
    """Per township in scope, one year's (default: the last) planned and admitted sums and their ratio."""
    names, params = in_list(scope.towns(cfg) if towns_only else scope.units(cfg))
    return q.df(
        f"""SELECT township, sum(planned) AS planned, sum(admitted) AS admitted,
                   sum(admitted) / CASE WHEN sum(planned) > 0 THEN sum(planned) END AS rate
            FROM current_members WHERE year = ? AND township IN {names} GROUP BY township ORDER BY township""",
        [year or scope.last_year, *params],
    )


def by_year(q: Query, cfg: Config, scope: Scope) -> pd.DataFrame:
    names, params = in_list(scope.units(cfg))
    return q.df(
        f"""SELECT year, sum(planned) AS planned, sum(admitted) AS admitted FROM current_members
            WHERE year BETWEEN ? AND ? AND township IN {names} GROUP BY year ORDER BY year""",
        [scope.first_year, scope.last_year, *params],
    )


PAGE = AreaPage(
    ":material/school:",
    2,
    "units",
    ("unit", "sector", "township", "planned", "admitted", "ceremonies", "has_league_school"),
)  # menu icon, charts per row, details behind a switch

FIGURES = ("by_township", "by_year", "schools")  # the names of figures(), usable as slides: chart:<area>.<name>


def tables(q: Query, cfg: Config, scope: Scope) -> dict[str, pd.DataFrame]:
    full = scope
    scope = as_reported(q, cfg, scope, DATASET)  # as of this dataset's latest reported period
    towns = scope.towns(cfg)  # every township, those that have not reported too (named 未报); not 团区委
    rates = by_township(q, cfg, scope, towns_only=True).set_index("township").reindex(towns)
    return {
        "units": units(q, cfg, scope),
        "by_township": rates.reset_index(names="township"),
        "by_year": by_year(q, cfg, scope),
        "this_year": _this_year(q, cfg, full),
    }


def _this_year(q: Query, cfg: Config, scope: Scope) -> pd.DataFrame:
    """This year's plan so far per township with the calendar share (时间进度), for the summary."""
    from metrics.progress import behind_calendar

    today = scope.today or cfg.today()
    share, towns = behind_calendar(q, cfg, scope)
    expected = len(scope.towns(cfg))  # 时间进度 is stated over the townships that reported: n/N 已报
    return towns.assign(calendar=share, year=today.year, day=today.isoformat(), expected=expected)


def figures(data: dict[str, pd.DataFrame], cfg: Config, lang: str) -> dict[str, go.Figure]:
    target = cfg.targets["member_development_rate"]
    rates = data["by_township"].assign(rate=lambda f: f["rate"] * 100)
    fig_rate = charts.township_bars(
        rates[["township", "rate"]],
        "rate",
        i18n.t("chart.development_by_township", lang),
        lang,
        target=target.target * 100,
        amber=target.amber * 100,
        text_format="{:.0f}%",
        axis_title="%",
    )
    fig_year = charts.grouped_bars(
        data["by_year"],
        "year",
        {"planned": i18n.t("chart.planned", lang), "admitted": i18n.t("chart.admitted", lang)},
        i18n.t("chart.development_trend", lang),
        palette=cfg.palette,
        axis_title=i18n.t("chart.people", lang),
    )
    schools = data["units"][data["units"]["sector"].isin(MIDDLE_SCHOOLS)]
    with_branch = int(schools["has_league_school"].fillna(False).astype(bool).sum())
    fig_school = charts.donut(
        {"with_school": i18n.t("chart.with_school", lang), "without_school": i18n.t("chart.without_school", lang)},
        [with_branch, len(schools) - with_branch],
        i18n.t("chart.schools", lang),
        lang,
        palette=cfg.palette,
    )
    return {"by_township": fig_rate, "by_year": fig_year, "schools": fig_school}
