"""Pathways (缺路径): member development against plan, and league-school branches.

Figures are for the scope's last year. The completion rate over several units is
admitted ÷ planned summed over them (a ratio of sums). "Every middle school"
(每个中学) means junior and senior secondary schools: sectors 初中 and 高中.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from metrics import charts
from metrics.base import Kpi, Measure, Query, Scope, in_list, ratio
from reform import i18n
from reform.config import Config

AREA = "pathways"
MIDDLE_SCHOOLS = ("middle_school", "high_school")


def units(q: Query, cfg: Config, scope: Scope, year: int | None = None) -> pd.DataFrame:
    """Member-development rows of the units in scope for one year (default: the last)."""
    names, params = in_list(scope.units(cfg))
    return q.df(
        f"""SELECT unit, sector, township, year, planned, admitted, ceremonies, has_league_school
            FROM current_members WHERE year = ? AND township IN {names} ORDER BY township, unit""",
        [year or scope.last_year, *params],
    )


def member_development_rate(q: Query, cfg: Config, scope: Scope) -> Measure:
    frame = units(q, cfg, scope)
    if frame.empty:
        return Measure(None)
    return ratio(frame["admitted"].sum(), frame["planned"].sum(), str(scope.last_year))


def league_school_coverage(q: Query, cfg: Config, scope: Scope) -> Measure:
    """Middle schools with a league-school branch ÷ middle schools reported."""
    frame = units(q, cfg, scope)
    schools = frame[frame["sector"].isin(MIDDLE_SCHOOLS)]
    if schools.empty:
        return Measure(None)
    return ratio(int(schools["has_league_school"].fillna(False).astype(bool).sum()), len(schools), str(scope.last_year))


KPIS = (
    Kpi("member_development_rate", AREA, "ratio", member_development_rate, "member_development_rate"),
    Kpi("league_school_coverage", AREA, "share", league_school_coverage, "league_school_coverage"),
)


def by_township(frame: pd.DataFrame) -> pd.DataFrame:
    grouped = frame.groupby("township", as_index=False)[["planned", "admitted"]].sum()
    grouped["rate"] = grouped["admitted"] / grouped["planned"].where(grouped["planned"] > 0)
    return grouped


def by_year(q: Query, cfg: Config, scope: Scope) -> pd.DataFrame:
    names, params = in_list(scope.units(cfg))
    return q.df(
        f"""SELECT year, sum(planned) AS planned, sum(admitted) AS admitted FROM current_members
            WHERE year BETWEEN ? AND ? AND township IN {names} GROUP BY year ORDER BY year""",
        [scope.first_year, scope.last_year, *params],
    )


FIGURES = ("by_township", "by_year", "schools")  # the names of figures(), usable as slides: chart:<area>.<name>


def tables(q: Query, cfg: Config, scope: Scope) -> dict[str, pd.DataFrame]:
    frame = units(q, cfg, scope)
    return {"units": frame, "by_township": by_township(frame), "by_year": by_year(q, cfg, scope)}


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
    )
    schools = data["units"][data["units"]["sector"].isin(MIDDLE_SCHOOLS)]
    with_branch = int(schools["has_league_school"].fillna(False).astype(bool).sum())
    fig_school = charts.donut(
        [i18n.t("chart.with_school", lang), i18n.t("chart.without_school", lang)],
        [with_branch, len(schools) - with_branch],
        i18n.t("chart.schools", lang),
        [charts.RAG["green"], charts.GREY],
    )
    return {"by_township": fig_rate, "by_year": fig_year, "schools": fig_school}
