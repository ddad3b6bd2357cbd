"""Where each township's tile sits on the district map: a tile grid placed from the configured
coordinates, one square per township, no boundary drawn.

Why tiles and not outlines: no openly licensed township (乡镇) boundaries of the district
can be shipped (the open county-level data stop at the county; OpenStreetMap's township
relations are incomplete and would need an ODbL notice and checking), and a map with
administrative boundaries shown by a government body is subject to map review (地图审核).
A tile grid shows where a township lies and how it is doing, equally sized so a small
township is as visible as a large one, and draws no boundary to review.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from reform import i18n
from reform.config import Config, Place


def positions(places: Sequence[Place]) -> dict[str, tuple[int, int]]:
    """Township -> (row, column), north on top: each goes to the free cell nearest its position,
    the townships nearest the middle placed first. Deterministic for a given configuration."""
    if not places:
        return {}
    n = len(places)
    cols = max(1, math.ceil(math.sqrt(n * 1.3)))
    rows = max(1, math.ceil(n / cols) + 1)
    lons, lats = [p.lon for p in places], [p.lat for p in places]
    lon_span, lat_span = (max(lons) - min(lons)) or 1.0, (max(lats) - min(lats)) or 1.0
    mid_lon, mid_lat = sum(lons) / n, sum(lats) / n

    def ideal(p: Place) -> tuple[float, float]:
        return (max(lats) - p.lat) / lat_span * (rows - 1), (p.lon - min(lons)) / lon_span * (cols - 1)

    order = sorted(places, key=lambda p: ((p.lon - mid_lon) ** 2 + (p.lat - mid_lat) ** 2, p.name))
    taken: dict[tuple[int, int], str] = {}
    for place in order:
        want_r, want_c = ideal(place)
        taken[_nearest_free(want_r, want_c, rows, cols, taken)] = place.name
    top = min(r for r, _ in taken)
    left = min(c for _, c in taken)
    return {name: (r - top, c - left) for (r, c), name in taken.items()}


def _nearest_free(
    want_r: float, want_c: float, rows: int, cols: int, taken: dict[tuple[int, int], str]
) -> tuple[int, int]:
    """The free cell nearest (want_r, want_c), searching outward ring by ring (rows × cols > taken)."""
    centre_r, centre_c = round(want_r), round(want_c)
    for radius in range(max(rows, cols) + 1):
        ring = [
            (r, c)
            for r in range(centre_r - radius, centre_r + radius + 1)
            for c in range(centre_c - radius, centre_c + radius + 1)
            if max(abs(r - centre_r), abs(c - centre_c)) == radius
            and 0 <= r < rows
            and 0 <= c < cols
            and (r, c) not in taken
        ]
        if ring:  # the nearest free cell of the nearest ring that has one
            return min(ring, key=lambda rc: ((rc[0] - want_r) ** 2 + (rc[1] - want_c) ** 2, rc))
    raise ValueError("no free cell left")  # cannot happen: the grid has more cells than townships


SUFFIXES = ("街道", "镇", "乡")


def short(name: str) -> str:
    """A township's name on its tile: without 街道/镇/乡 when something is left (罗塘街道 -> 罗塘)."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def status_map(table: pd.DataFrame, cfg: Config, kpi_key: str, lang: str) -> go.Figure:
    """The district's townships as tiles coloured by one ranked KPI's per-township status
    (``met``: by how many targets each meets), its figure inside each tile."""
    from metrics import charts, profile

    places = [p for p in cfg.townships if p.name in set(table["township"])]
    where = positions(places)
    rows = table.set_index("township")
    green, amber, red, grey = (charts.RAG[s] for s in ("green", "amber", "red", "none"))
    records = []
    kpi = next((k for k in profile.ranked_kpis(cfg) if k.key == kpi_key), None)
    for name, (r, c) in where.items():
        row = rows.loc[name]
        if kpi is None:  # targets met, of how many
            met, of = int(row["met"]), int(row["of"])
            colour = green if met >= of else amber if met >= of - 1 else red
            figure = f"{met}/{of}"
        else:
            value = row[kpi.township_column]
            known = value is not None and not pd.isna(value)
            met = known and bool(
                kpi.met_by_township(pd.Series([value], dtype="float64"), cfg.targets[kpi.target_key])[0]
            )
            colour = grey if not known else green if met else red
            figure = profile.township_value(kpi, value, lang)
        records.append({"township": name, "row": r, "col": c, "colour": colour, "text": f"{short(name)}<br>{figure}"})
    title = i18n.t("map.title", lang, kpi=i18n.t(kpi.label_key, lang) if kpi else i18n.t("col.met", lang))
    if kpi is None:
        legend = {
            green: i18n.t("map.all_met", lang),
            amber: i18n.t("map.one_short", lang),
            red: i18n.t("map.more_short", lang),
        }
    else:
        legend = {
            green: i18n.t("status.green", lang),
            red: i18n.t("status.red", lang),
            grey: i18n.t("status.none", lang),
        }
    return charts.township_tiles(pd.DataFrame(records), title, legend, lang)
