"""Venues (缺载体), part two: alumni associations (学子联谊会) in the ten cities.

The alumni figures are district-wide (no township column). A city counts as
covered when its association was founded on or before the end of the latest
period in scope (or has a row with no date). The cities are compared on bars, not on a
map of China: a published map of China must be the reviewed standard map (README, "Maps").
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from metrics import charts
from metrics.base import AreaPage, Kpi, Measure, Query, Scope, as_reported, in_list
from reform import i18n
from reform.config import Config

AREA = "venues"
DATASET = "alumni"  # the dataset its figures are measured from


def cities(q: Query, cfg: Config, scope: Scope) -> pd.DataFrame:
    """One row per configured city: its association in the latest period in scope, and coverage."""
    frame = q.df(
        """WITH latest AS (
               SELECT max(period_start) AS period_start FROM current_alumni WHERE period_start BETWEEN ? AND ?)
           SELECT a.city, a.association_name, a.founded_on, a.members, a.events, a.period, a.period_end,
                  (a.founded_on IS NULL OR a.founded_on <= a.period_end) AS covered
           FROM current_alumni a JOIN latest USING (period_start)""",
        [scope.start, scope.end],
    )
    places = pd.DataFrame([{"city": c.name, "lat": c.lat, "lon": c.lon} for c in cfg.cities])
    merged = places.merge(frame, on="city", how="left")
    merged["covered"] = merged["covered"].fillna(False).astype(bool)
    return merged


def alumni_cities(q: Query, cfg: Config, scope: Scope) -> Measure:
    """Configured cities with an alumni association as of the latest period in scope (counted in SQL)."""
    names, params = in_list(list(cfg.city_names))
    totals = q.df(
        f"""WITH latest AS (
               SELECT max(period_start) AS period_start FROM current_alumni WHERE period_start BETWEEN ? AND ?)
           SELECT count(*) AS n, count(DISTINCT a.city) FILTER (WHERE a.founded_on IS NULL
                  OR a.founded_on <= a.period_end) AS covered, max(a.period) AS as_of
           FROM current_alumni a JOIN latest USING (period_start) WHERE a.city IN {names}""",
        [scope.start, scope.end, *params],
    ).iloc[0]
    if not int(totals["n"]):
        return Measure(None)
    covered = float(totals["covered"])
    return Measure(covered, covered, float(len(cfg.cities)), str(totals["as_of"]))


KPIS = (Kpi("alumni_cities", AREA, "count_of", alumni_cities, "alumni_cities", noun="noun.cities"),)


PAGE = AreaPage(
    ":material/map:", 1, "cities", ("city", "association_name", "founded_on", "members", "events", "period")
)  # menu icon, charts per row, details behind a switch

FIGURES = ("cities",)  # the names of figures(), usable as slides: chart:<area>.<name>


def tables(q: Query, cfg: Config, scope: Scope) -> dict[str, pd.DataFrame]:
    scope = as_reported(q, cfg, scope, DATASET)  # as of this dataset's latest reported period
    return {"cities": cities(q, cfg, scope)}


def figures(data: dict[str, pd.DataFrame], cfg: Config, lang: str) -> dict[str, go.Figure]:
    """The ten cities side by side: members and events on their own scales, a city without an
    association in grey. No map: a map of China must be the reviewed standard map (see README)."""
    frame = data["cities"].fillna({"members": 0, "events": 0})
    frame = frame.sort_values(["covered", "members"], kind="stable")  # laggards (no association) on top
    status = ["covered" if c is True else "not_covered" for c in frame["covered"]]
    fig = charts.small_multiples(
        frame,
        "city",
        [("members", i18n.t("chart.members", lang)), ("events", i18n.t("chart.events", lang))],
        i18n.t("chart.alumni_members", lang),
        lang,
        colours=[charts.colour(s, cfg.palette) for s in status],
    )
    for key in ("covered", "not_covered"):  # the legend of the two colours
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "square", "size": 14, "color": charts.colour(key, cfg.palette)},
            name=i18n.t(f"chart.{key}", lang),
            showlegend=True,
        )
    fig.update_layout(showlegend=True)
    return {"cities": fig}
