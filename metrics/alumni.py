"""Venues (缺载体), part two: alumni associations (学子联谊会) in the ten cities.

The alumni figures are district-wide (no township column). A city counts as
covered when its association was founded on or before the end of the latest
period in scope (or has a row with no date). The map is drawn from a shipped
outline so that it renders with no internet access at a meeting.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from metrics import charts
from metrics.base import AreaPage, Kpi, Measure, Query, Scope, as_reported, in_list
from reform import i18n
from reform.config import Config

AREA = "venues"
DATASET = "alumni"  # the dataset its figures are measured from
OUTLINE = Path(__file__).resolve().parent.parent / "data" / "maps" / "china_outline.json"


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

FIGURES = ("map", "members")  # the names of figures(), usable as slides: chart:<area>.<name>


def tables(q: Query, cfg: Config, scope: Scope) -> dict[str, pd.DataFrame]:
    scope = as_reported(q, cfg, scope, DATASET)  # as of this dataset's latest reported period
    return {"cities": cities(q, cfg, scope)}


@cache
def _outline() -> tuple[list[float | None], list[float | None]]:
    """Province outlines as one line trace (None separates rings)."""
    data = json.loads(OUTLINE.read_text(encoding="utf-8"))
    lons: list[float | None] = []
    lats: list[float | None] = []
    for rings in data["provinces"].values():
        for ring in rings:
            lons += [p[0] for p in ring] + [None]
            lats += [p[1] for p in ring] + [None]
    return lons, lats


def label_offsets(
    lons: list[float], lats: list[float], radius: float = 4.0, pixels: float = 42.0
) -> list[tuple[float, float]]:
    """Pixel offsets that push each label away from its neighbours (the Yangtze delta is crowded)."""
    offsets = []
    for x, y in zip(lons, lats, strict=True):
        near = [(ox, oy) for ox, oy in zip(lons, lats, strict=True) if (ox - x) ** 2 + (oy - y) ** 2 <= radius**2]
        cx, cy = sum(p[0] for p in near) / len(near), sum(p[1] for p in near) / len(near)
        dx, dy = x - cx, y - cy
        length = math.hypot(dx, dy)
        if len(near) == 1 or length < 1e-6:
            offsets.append((0.0, -22.0))  # alone: just above the marker
        else:
            offsets.append((pixels * dx / length, -pixels * dy / length))
    return offsets


def city_map(frame: pd.DataFrame, cfg: Config, lang: str) -> go.Figure:
    """China's provinces with the home district and the ten cities coloured covered / not."""
    lons, lats = _outline()
    fig = go.Figure(
        go.Scatter(
            x=lons, y=lats, mode="lines", line={"color": "#B8BEC6", "width": 1}, hoverinfo="skip", showlegend=False
        )
    )
    for covered, key, colour in ((True, "chart.covered", charts.RED), (False, "chart.not_covered", charts.GREY)):
        part = frame[frame["covered"] == covered]
        fig.add_scatter(
            x=part["lon"],
            y=part["lat"],
            mode="markers",
            text=part["city"],
            marker={"size": 16, "color": colour, "line": {"color": "white", "width": 1}},
            name=i18n.t(key, lang),
            customdata=part[["members"]].fillna(0),
            hovertemplate="%{text}: %{customdata[0]:.0f}<extra></extra>",
        )
    fig.add_scatter(
        x=[cfg.district_lon],
        y=[cfg.district_lat],
        mode="markers",
        text=[cfg.district_name],
        hovertemplate="%{text}<extra></extra>",
        marker={"symbol": "star", "size": 18, "color": charts.GOLD},
        name=i18n.t("chart.home_district", lang),
    )
    lons, lats = [*frame["lon"], cfg.district_lon], [*frame["lat"], cfg.district_lat]
    names = [*frame["city"], cfg.district_name]
    for lon, lat, name, (ax, ay) in zip(lons, lats, names, label_offsets(lons, lats), strict=True):
        home = name == cfg.district_name
        fig.add_annotation(
            x=lon,
            y=lat,
            text=f"<b>{name}</b>" if home else name,
            ax=ax,
            ay=ay,
            showarrow=True,
            arrowhead=0,
            arrowcolor="#9AA0A6",
            arrowwidth=1,
            font={"size": 15, "color": "#8A6D00" if home else "#1F2329"},
            bgcolor="rgba(255,255,255,0.8)",
        )
    fig.update_xaxes(visible=False, range=[min(lons) - 6, max(lons) + 6])
    fig.update_yaxes(visible=False, range=[min(lats) - 4, max(lats) + 3], scaleanchor="x", scaleratio=1.2)
    return charts.layout(fig, i18n.t("chart.alumni_map", lang), height=680)


def figures(data: dict[str, pd.DataFrame], cfg: Config, lang: str) -> dict[str, go.Figure]:
    frame = data["cities"]
    fig_members = charts.grouped_bars(
        frame.fillna({"members": 0, "events": 0}),
        "city",
        {"members": i18n.t("chart.members", lang), "events": i18n.t("chart.events", lang)},
        i18n.t("chart.alumni_members", lang),
    )
    return {"map": city_map(frame, cfg, lang), "members": fig_members}
