"""The overview: the four shortages' KPIs in one scorecard, and a township league table."""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics import AREA_MODULES
from metrics.base import Kpi, KpiResult, Query, Scope, evaluate
from metrics.funding import per_capita
from metrics.pathways import by_township as development_by_township
from metrics.staffing import by_township as staffing_by_township
from metrics.venues import by_township as homes_by_township
from reform.config import Config
from reform.datasets import DATASETS
from reform.store import Store

KPIS: tuple[Kpi, ...] = tuple(k for module in AREA_MODULES.values() for k in module.KPIS)
AREA_ORDER = ("people", "venues", "pathways", "policy")
LEAGUE_COLUMNS = (  # the league table's columns, in the order pages and slides show them
    "township",
    "met",
    "officers",
    "cadre_fill_rate",
    "secretary_vacancies",
    "specialty_homes",
    "member_development_rate",
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
    ordered = sorted(KPIS, key=lambda k: AREA_ORDER.index(k.area))
    return [evaluate(k, q, cfg, scope) for k in ordered]


def scorecard(store: Store, cfg: Config, scope: Scope) -> list[KpiResult]:
    with store.reader() as q:
        return kpis(q, cfg, scope)


def league_table(q: Query, cfg: Config, scope: Scope) -> pd.DataFrame:
    """Per township: the township-level figures and how many of their targets it meets."""
    towns = scope.towns(cfg)
    staff = staffing_by_township(q, cfg, scope).set_index("township").reindex(towns)
    venue_counts = homes_by_township(q, cfg, scope, towns).set_index("township")
    development = development_by_township(q, cfg, scope).set_index("township").reindex(towns)
    funding = per_capita(q, cfg, scope).set_index("township").reindex(towns)
    t = cfg.targets
    table = pd.DataFrame(
        {
            "officers": staff["officer_filled"],
            "cadre_fill_rate": staff["cadre_fill_rate"],
            "secretary_vacancies": staff["secretary_vacant"],
            "specialty_homes": venue_counts["specialty"],
            "member_development_rate": development["rate"],
            "funding_per_capita": funding["per_capita"],
        },
        index=pd.Index(towns, name="township"),
    )
    checks = pd.DataFrame(
        {
            "officers": table["officers"] >= (t["youth_officer_coverage"].per_township or 1),
            "cadre": table["cadre_fill_rate"] >= t["cadre_fill_rate"].target - 1e-9,
            "vacancies": table["secretary_vacancies"] <= t["secretary_vacancies"].target,
            "specialty": table["specialty_homes"] >= 1,
            "development": table["member_development_rate"] >= t["member_development_rate"].target - 1e-9,
            "funding": table["funding_per_capita"] >= t["funding_per_capita"].target - 1e-9,
        }
    ).fillna(False)
    table["met"] = checks.sum(axis=1).astype(int)
    table["of"] = len(checks.columns)
    return (
        table.reset_index()
        .sort_values(["met", "funding_per_capita"], ascending=[False, False], kind="stable")
        .reset_index(drop=True)
    )
