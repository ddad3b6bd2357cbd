"""The overview: the four shortages' KPIs in one scorecard, and a township league table."""

from __future__ import annotations

import pandas as pd

from metrics import AREAS, all_kpis
from metrics.base import KpiResult, Query, Scope, as_reported, evaluate
from metrics.funding import per_capita
from metrics.pathways import by_township as development_by_township
from metrics.progress import behind_calendar
from metrics.staffing import by_township as staffing_by_township
from metrics.venues import by_township as homes_by_township
from reform import audience
from reform.audience import View
from reform.config import Config
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
    """The first and last year that the data a reader sees covers (``reform.audience.data_years``)."""
    return audience.data_years(q)


def kpis(q: Query, cfg: Config, scope: Scope) -> list[KpiResult]:
    """Every KPI, in the order of the four shortages."""
    return [evaluate(k, q, cfg, scope) for k in all_kpis()]


def scorecard(store: Store, cfg: Config, view: View) -> list[KpiResult]:
    """Every KPI as ``view`` shows the store (its audience decided at the entry: approved figures or not)."""
    with view.reading(store) as q:
        return kpis(q, cfg, view.scope)


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
    # ties keep the configured township order: no hidden tie-break (ties share a rank, lists take them whole)
    ranked_table = table.reset_index().sort_values("met", ascending=False, kind="stable").reset_index(drop=True)
    ranked_table.insert(0, "rank", ranked_table["met"].rank(method="min", ascending=False).astype(int))
    return ranked_table


def worst_first(table: pd.DataFrame) -> pd.DataFrame:
    """The league table with the laggards on top: what a leader must see first (ties in township order)."""
    return table.sort_values("met", kind="stable").reset_index(drop=True)


LISTED = 10  # townships a 红黑榜 side shows by name; a larger tie (a province) is said with its count


def red_black(table: pd.DataFrame, size: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """红黑榜: from each end of the table, whole groups of townships with the same number of targets
    met — a list takes the next group while it stays within ``size`` townships, and a first group
    larger than that is listed whole: a tie is never split, so no township is left off a list that
    names another with its score. The lagging list leaves out every township already leading (all
    tied: it is empty). With fewer than 2 × ``size`` townships each list has at most half of them."""
    size = max(1, min(size, len(table) // 2))
    best = _whole_groups(table, size)
    rest = worst_first(table)
    rest = rest[~rest["township"].isin(best["township"])]
    return best, _whole_groups(rest, size)


def _whole_groups(table: pd.DataFrame, size: int) -> pd.DataFrame:
    """The leading groups of equal ``met`` of a table, taken whole (see ``red_black``)."""
    taken: list[pd.DataFrame] = []
    for _, group in table.groupby("met", sort=False):
        if taken and sum(len(g) for g in taken) + len(group) > size:
            break
        taken.append(group)
    return (pd.concat(taken) if taken else table.head(0)).reset_index(drop=True)
