"""A township's profile (镇街画像): every ranked indicator of one township against the district
and its target, its rank among the townships, and how each indicator moved year by year.

Built from the league table (the same per-township figures and rules as the overview's
ranking), so the profile, the 红黑榜 and the district map never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics import all_kpis, overview
from metrics.base import Kpi, Query, Scope, format_value
from reform import i18n
from reform.config import Config

COUNT_UNITS = ("share", "count_of", "count")  # a township's own figure for these is a count


@dataclass(frozen=True)
class Profile:
    """One township in one scope."""

    township: str
    rank: int | None  # 1 = most targets met (ties share a rank); None: not in the table
    ranked: int  # townships in the ranking
    met: int
    targets: int
    previous_rank: int | None  # a year earlier
    indicators: pd.DataFrame  # kpi, label, value, shown, district, target, met
    trend: pd.DataFrame  # year, kpi, value (rates in per cent), rank


def ranked_kpis(cfg: Config) -> list[Kpi]:
    """The KPIs on which townships are ranked (a league-table column and a configured target)."""
    return [k for k in all_kpis() if k.township_column in overview.LEAGUE_COLUMNS and k.target_key in cfg.targets]


def township_value(kpi: Kpi, value: float | None, lang: str) -> str:
    """A township's own figure, as on the league table: its officers as a count, rates in per cent."""
    if value is None or pd.isna(value):
        return i18n.t("kpi.no_data", lang)
    unit = "count" if kpi.unit in COUNT_UNITS else kpi.unit
    return format_value(unit, float(value), None, None, lang)


def township_target(kpi: Kpi, cfg: Config, lang: str) -> str:
    """What one township is held to (≥ 1 人 for a share of townships, else the KPI's own target)."""
    target = cfg.targets[kpi.target_key]
    if kpi.unit in ("share", "count_of") and target.per_township is not None:
        return f"≥ {target.per_township}"
    unit = "count" if kpi.unit in COUNT_UNITS else kpi.unit
    sign = "≤" if kpi.direction == "at_most" else "≥"
    return f"{sign} {format_value(unit, target.target, None, None, lang)}"


def _row(table: pd.DataFrame, township: str) -> pd.Series | None:
    found = table[table["township"] == township]
    return None if found.empty else found.iloc[0]


def profile(q: Query, cfg: Config, scope: Scope, township: str, lang: str = i18n.DEFAULT) -> Profile:
    table = overview.league_table(q, cfg, scope)
    row = _row(table, township)
    district = {r.key: r for r in overview.kpis(q, cfg, scope)}
    kpis = ranked_kpis(cfg)
    records = []
    for k in kpis:
        value = None if row is None or pd.isna(row[k.township_column]) else float(row[k.township_column])
        met = bool(
            k.met_by_township(pd.Series([value], dtype="float64"), cfg.targets[k.target_key]).fillna(False)[0]
        )  # no figure (pandas' NA of a township that did not report) meets nothing
        records.append(
            {
                "kpi": k.key,
                "label": i18n.t(k.label_key, lang),
                "value": value,
                "shown": township_value(k, value, lang),
                "district": district[k.key].display(lang) if k.key in district else "—",
                "target": township_target(k, cfg, lang),
                "met": met if value is not None and not pd.isna(value) else None,
            }
        )
    trend, previous_rank = _trend(q, cfg, scope, township, kpis)
    return Profile(
        township,
        None if row is None else int(row["rank"]),
        len(table),
        0 if row is None else int(row["met"]),
        len(kpis),
        previous_rank,
        pd.DataFrame(records),
        trend,
    )


def _trend(q: Query, cfg: Config, scope: Scope, township: str, kpis: list[Kpi]) -> tuple[pd.DataFrame, int | None]:
    """Each indicator and the rank, year by year over the scope (rates in per cent, as shown)."""
    rows, ranks = [], {}
    for year in range(scope.first_year, scope.last_year + 1):
        row = _row(overview.league_table(q, cfg, scope.at_year(year)), township)
        if row is None:
            continue
        ranks[year] = int(row["rank"])
        for k in kpis:
            value = row[k.township_column]
            if value is not None and not pd.isna(value) and k.unit == "ratio":
                value = float(value) * 100
            rows.append({"year": year, "kpi": k.key, "value": value, "rank": ranks[year]})
    frame = pd.DataFrame(rows, columns=["year", "kpi", "value", "rank"])
    return frame, ranks.get(scope.last_year - 1)
