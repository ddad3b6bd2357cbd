"""People (缺人员): full-time cadres, youth assistant officers, branch-secretary vacancies.

Each unit's figure is its latest reported period within the scope's years, so a
township that reports quarterly and one that reports yearly are compared on what
they last said.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from metrics import charts
from metrics.base import AreaPage, Kpi, Measure, Query, Scope, as_reported, in_list, ratio
from reform import i18n
from reform.config import Config
from reform.datasets import STAFFING

AREA = "people"
DATASET = "staffing"  # the dataset its figures are measured from


_LATEST = """
    SELECT township, period, authorized, filled, greatest(authorized - filled, 0) AS vacant
    FROM current_staffing
    WHERE post_type = ? AND period_start BETWEEN ? AND ? AND township IN {units}
    QUALIFY row_number() OVER (PARTITION BY township ORDER BY period_start DESC, period_end) = 1"""


def latest(q: Query, cfg: Config, scope: Scope, post_type: str) -> pd.DataFrame:
    """Per unit in scope, its latest period's row of one post type (township, period, authorized, filled)."""
    units, params = in_list(scope.units(cfg))
    return q.df(f"{_LATEST.format(units=units)} ORDER BY township", [post_type, scope.start, scope.end, *params])


def _totals(q: Query, cfg: Config, scope: Scope, post_type: str) -> pd.Series:
    """The latest rows of one post type summed in SQL: units, posts, filled, vacant, townships with enough in post."""
    units, params = in_list(scope.units(cfg))
    towns, town_params = in_list(scope.towns(cfg))
    per = cfg.targets["youth_officer_coverage"].per_township or 1
    return q.df(
        f"""WITH l AS ({_LATEST.format(units=units)})
            SELECT count(*) AS n, sum(authorized) AS authorized, sum(filled) AS filled, sum(vacant) AS vacant,
                   count(*) FILTER (WHERE filled >= ? AND township IN {towns}) AS covered, max(period) AS as_of
            FROM l""",
        [post_type, scope.start, scope.end, *params, per, *town_params],
    ).iloc[0]


def _as_of(totals: pd.Series) -> str | None:
    return str(totals["as_of"]) if int(totals["n"]) else None


def youth_officer_coverage(q: Query, cfg: Config, scope: Scope) -> Measure:
    """Townships with at least the required youth assistant officers ÷ townships in scope."""
    totals = _totals(q, cfg, scope, "youth_assistant_officer")
    return ratio(int(totals["covered"]), len(scope.towns(cfg)), _as_of(totals))


def cadre_fill_rate(q: Query, cfg: Config, scope: Scope) -> Measure:
    """Full-time cadre posts filled ÷ authorised, summed over the units in scope."""
    totals = _totals(q, cfg, scope, "full_time_cadre")
    if not int(totals["n"]):
        return ratio(None, 0)
    return ratio(float(totals["filled"]), float(totals["authorized"]), _as_of(totals))


def secretary_vacancies(q: Query, cfg: Config, scope: Scope) -> Measure:
    """Branches without a secretary, summed over the units in scope."""
    totals = _totals(q, cfg, scope, "branch_secretary")
    if not int(totals["n"]):
        return Measure(None)
    return Measure(float(totals["vacant"]), as_of=_as_of(totals))


KPIS = (
    Kpi(
        "youth_officer_coverage",
        AREA,
        "share",
        youth_officer_coverage,
        "youth_officer_coverage",
        township_column="officers",
        township_met=lambda officers, target: officers >= (target.per_township or 1),
        noun="noun.townships",
    ),
    Kpi("cadre_fill_rate", AREA, "ratio", cadre_fill_rate, "cadre_fill_rate", township_column="cadre_fill_rate"),
    Kpi(
        "secretary_vacancies",
        AREA,
        "count",
        secretary_vacancies,
        "secretary_vacancies",
        direction="at_most",
        township_column="secretary_vacancies",
        noun="noun.vacancies",
    ),
)


def by_township(q: Query, cfg: Config, scope: Scope) -> pd.DataFrame:
    """One row per township: cadres, officers and vacancies as of its latest period."""
    parts = []
    for post, prefix in (
        ("full_time_cadre", "cadre"),
        ("youth_assistant_officer", "officer"),
        ("branch_secretary", "secretary"),
    ):
        frame = latest(q, cfg, scope, post).set_index("township")[["authorized", "filled", "vacant"]]
        parts.append(frame.add_prefix(f"{prefix}_"))
    table = pd.concat(parts, axis=1).reindex(scope.units(cfg))
    table["cadre_fill_rate"] = table["cadre_filled"] / table["cadre_authorized"].where(table["cadre_authorized"] > 0)
    return table.reset_index(names="township")


def trend_by_period(q: Query, cfg: Config, scope: Scope) -> pd.DataFrame:
    """People in post per period and post type over the units in scope — a stock: a unit that has not
    reported a period yet counts with its latest earlier report (as the KPIs count it) — with how many
    of the townships in scope reported each period itself (``reported`` of ``expected``)."""
    units, params = in_list(scope.units(cfg))
    towns, town_params = in_list(scope.towns(cfg))
    frame = q.df(
        f"""WITH r AS (SELECT township, post_type, period AS r_period, period_start AS r_start, filled, authorized
                       FROM current_staffing WHERE period_start BETWEEN ? AND ? AND township IN {units}),
                 p AS (SELECT DISTINCT r_period AS period, r_start AS period_start FROM r),
                 k AS (SELECT DISTINCT township, post_type FROM r),
                 n AS (SELECT r_period, count(DISTINCT township) FILTER (WHERE township IN {towns}) AS reported
                       FROM r GROUP BY r_period)
            SELECT g.period, g.period_start, g.post_type, sum(r.filled) AS filled,
                   sum(r.authorized) AS authorized, any_value(n.reported) AS reported
            FROM (SELECT * FROM p CROSS JOIN k) g
            ASOF JOIN r ON g.township = r.township AND g.post_type = r.post_type AND g.period_start >= r.r_start
            JOIN n ON n.r_period = g.period
            GROUP BY ALL ORDER BY g.period_start, g.period, g.post_type""",
        [scope.start, scope.end, *params, *town_params],
    )
    return frame.assign(expected=len(scope.towns(cfg)))


PAGE = AreaPage(
    ":material/groups:",
    2,
    "by_township",
    ("township", "cadre_authorized", "cadre_filled", "officer_filled", "secretary_authorized", "secretary_vacant"),
)  # menu icon, charts per row, details behind a switch

FIGURES = ("by_township", "vacancies", "trend")  # the names of figures(), usable as slides: chart:<area>.<name>


def tables(q: Query, cfg: Config, scope: Scope) -> dict[str, pd.DataFrame]:
    scope = as_reported(q, cfg, scope, DATASET)  # as of this dataset's latest reported period
    return {"by_township": by_township(q, cfg, scope), "trend": trend_by_period(q, cfg, scope)}


def figures(data: dict[str, pd.DataFrame], cfg: Config, lang: str) -> dict[str, go.Figure]:
    towns = data["by_township"]
    towns = towns[towns["township"] != cfg.committee]
    target = cfg.targets["secretary_vacancies"]
    posts = {"cadre_filled": "full_time_cadre", "officer_filled": "youth_assistant_officer"}  # palette categories
    fig_staff = charts.township_groups(
        towns.rename(columns=posts),
        {
            "full_time_cadre": i18n.t("chart.cadres_filled", lang),
            "youth_assistant_officer": i18n.t("chart.officers_filled", lang),
        },
        i18n.t("chart.staffing_by_township", lang),
        lang,
        palette=cfg.palette,
        axis_title=i18n.t("chart.people", lang),
        target=float(cfg.targets["youth_officer_coverage"].per_township or 1),
    )
    fig_vacant = charts.township_bars(
        towns[["township", "secretary_vacant"]].dropna(),
        "secretary_vacant",
        i18n.t("chart.vacancies_by_township", lang),
        lang,
        target=target.target,
        amber=target.amber,
        at_most=True,
        axis_title=i18n.t("chart.vacant", lang),
        counts=True,
    )
    trend = data["trend"].pivot_table(index="period", columns="post_type", values="filled", aggfunc="sum").reset_index()
    post = STAFFING.column("post_type")
    series = {p: i18n.choice(post, p, lang) for p in ("full_time_cadre", "youth_assistant_officer") if p in trend}
    counts = data["trend"].drop_duplicates("period")
    reported = {
        str(p): (int(n), int(e))
        for p, n, e in zip(counts["period"], counts["reported"], counts["expected"], strict=True)
    }
    fig_trend = charts.trend(
        trend,
        "period",
        series,
        i18n.t("chart.staffing_trend", lang),
        lang,
        axis_title=i18n.t("chart.people", lang),
        reported=reported,
        palette=cfg.palette,
        counts=True,
    )
    return {"by_township": fig_staff, "vacancies": fig_vacant, "trend": fig_trend}
