"""The overview: the four shortages' KPIs in one scorecard, and a township league table."""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics import AREAS, all_kpis
from metrics.base import KpiResult, Query, Scope, as_reported, evaluate
from metrics.funding import per_capita
from metrics.pathways import by_township as development_by_township
from metrics.progress import behind_calendar
from metrics.staffing import by_township as staffing_by_township
from metrics.venues import by_township as homes_by_township
from reform.config import Config
from reform.datasets import DATASETS
from reform.store import Store

AREA_ORDER = AREAS  # the four shortages (declared once, in metrics)
LEAGUE_COLUMNS = (  # the league table's columns, in the order pages and slides show them
    "rank",
    "township",
    "met",
    "officers",
    "cadre_fill_rate",
    "secretary_vacancies",
    "specialty_homes",
    "member_development_rate",
    "calendar_gap",
    "funding_per_capita",
)


def data_years(q: Query) -> tuple[int, int]:
    """The first and last year that any current data covers (this year when there is none)."""
    years = " UNION ALL ".join(f"SELECT year({d.time_sql[0]}) AS y FROM current_{d.name}" for d in DATASETS.values())
    frame = q.df(f"SELECT min(y) AS lo, max(y) AS hi FROM ({years})")
    if frame.empty or pd.isna(frame.at[0, "lo"]):
        return date.today().year, date.today().year
    return int(frame.at[0, "lo"]), int(frame.at[0, "hi"])


def kpis(q: Query, cfg: Config, scope: Scope) -> list[KpiResult]:
    """Every KPI, in the order of the four shortages."""
    return [evaluate(k, q, cfg, scope) for k in all_kpis()]


def scorecard(store: Store, cfg: Config, scope: Scope) -> list[KpiResult]:
    with store.reader() as q:
        return kpis(q, cfg, scope)


def league_table(q: Query, cfg: Config, scope: Scope) -> pd.DataFrame:
    """Per township: the township-level figures and how many of their targets it meets, each figure
    as of its own dataset's latest reported period."""
    towns = scope.towns(cfg)

    def of(dataset: str) -> Scope:
        return as_reported(q, cfg, scope, dataset)

    staff = staffing_by_township(q, cfg, of("staffing")).set_index("township").reindex(towns)
    venue_counts = homes_by_township(q, cfg, of("venues"), towns).set_index("township")
    development = development_by_township(q, cfg, of("members")).set_index("township").reindex(towns)
    funding = per_capita(q, cfg, of("funding")).set_index("township").reindex(towns)
    _, this_year = behind_calendar(q, cfg, scope)
    calendar = this_year.set_index("township").reindex(towns)
    table = pd.DataFrame(
        {
            "officers": staff["officer_filled"],
            "cadre_fill_rate": staff["cadre_fill_rate"],
            "secretary_vacancies": staff["secretary_vacant"],
            "specialty_homes": venue_counts["specialty"],
            "member_development_rate": development["rate"],
            "calendar_gap": calendar["gap"] * 100,  # this year's plan against 时间进度, in points
            "funding_per_capita": funding["per_capita"],
        },
        index=pd.Index(towns, name="township"),
    )
    ranked = [k for k in all_kpis() if k.township_column in table.columns and k.target_key in cfg.targets]
    checks = pd.DataFrame(  # each KPI's own per-township rule (a township without a figure does not meet it)
        {
            k.key: k.met_by_township(table[k.township_column], cfg.targets[k.target_key]).astype("boolean")
            for k in ranked
        }
    ).fillna(False)
    table["met"] = checks.sum(axis=1).astype(int)
    table["of"] = len(checks.columns)
    ranked_table = (
        table.reset_index()
        .sort_values(["met", "funding_per_capita"], ascending=[False, False], kind="stable")
        .reset_index(drop=True)
    )
    ranked_table.insert(0, "rank", ranked_table["met"].rank(method="min", ascending=False).astype(int))
    return ranked_table


def worst_first(table: pd.DataFrame) -> pd.DataFrame:
    """The league table with the laggards on top: what a leader must see first."""
    return table.iloc[::-1].reset_index(drop=True)


def red_black(table: pd.DataFrame, size: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """红黑榜: the ``size`` townships meeting most targets (best first) and the ``size`` meeting
    fewest (worst first); with fewer than 2 × ``size`` townships the lists split them in two."""
    size = min(size, len(table) // 2)
    return table.head(size).reset_index(drop=True), worst_first(table).head(size)
