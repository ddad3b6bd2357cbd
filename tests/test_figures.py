"""Figures that must be right on a projector with no internet: the offline map, targets, colours."""

from __future__ import annotations

import tomllib
from pathlib import Path

from metrics import AREA_MODULES, alumni, charts
from metrics.base import Scope
from reform.config import Config
from reform.store import Store

ROOT = Path(__file__).resolve().parent.parent


def test_no_chart_draws_a_map_of_china(sample_db: Path, cfg: Config) -> None:
    """A map of China shown by a government body must be the reviewed standard map: none is drawn."""
    with Store(sample_db).reader() as q:
        fig = alumni.figures(alumni.tables(q, cfg, Scope(2021, 2025)), cfg, "zh")["cities"]
    spec = fig.to_plotly_json()
    assert {t["type"] for t in spec["data"]} <= {"bar", "scatter"}
    bars = [t for t in spec["data"] if t["type"] == "bar"]
    assert [b["orientation"] for b in bars] == ["h", "h"]  # members and events each on their own scale
    assert set(bars[0]["y"]) == set(cfg.city_names)
    assert not (ROOT / "data" / "maps" / "china_outline.json").exists()


def test_status_colours() -> None:
    assert charts.status_colours([3.2, 2.7, 2.0, None], 3.0, 2.5) == [
        charts.RAG["green"],
        charts.RAG["amber"],
        charts.RAG["red"],
        charts.RAG["none"],
    ]
    assert charts.status_colours([0, 3, 9], 0, 5, at_most=True) == [
        charts.RAG["green"],
        charts.RAG["amber"],
        charts.RAG["red"],
    ]


def test_every_area_figure_has_a_title_and_traces_in_both_languages(sample_db: Path, cfg: Config) -> None:
    with Store(sample_db).reader() as q:
        for name, module in AREA_MODULES.items():
            data = module.tables(q, cfg, Scope(2021, 2025))
            for lang in ("zh", "en"):
                figures = module.figures(data, cfg, lang)
                assert tuple(figures) == module.FIGURES, name
                for fig in figures.values():
                    assert fig.layout.title.text, name
                    assert fig.data or fig.layout.annotations, name  # traces, or words saying why none


def test_server_upload_limit_equals_the_configured_one(cfg: Config) -> None:
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert server["server"]["maxUploadSize"] == cfg.max_file_mb
    assert server["server"]["enableXsrfProtection"] is True
    assert server["client"]["showErrorDetails"] == "none"
    assert server["runner"]["postScriptGC"] is False  # a full collection per page run: 3/4 of the CPU under load


def test_the_district_map_gives_each_township_its_own_tile_north_on_top(cfg: Config) -> None:
    from metrics import tiles

    where = tiles.positions(cfg.townships)
    assert set(where) == set(cfg.township_names) and len(set(where.values())) == len(where)
    lat = {t.name: t.lat for t in cfg.townships}
    north, south = max(lat, key=lat.get), min(lat, key=lat.get)
    assert where[north][0] < where[south][0]  # rows run north to south
    assert tiles.short("天目山街道") == "天目山" and tiles.short("华港镇") == "华港" and tiles.short("镇") == "镇"


def test_the_district_map_colours_tiles_by_targets_met(sample_db: Path, cfg: Config) -> None:
    from metrics import overview, tiles

    with Store(sample_db).reader() as q:
        table = overview.league_table(q, cfg, Scope(2021, 2025))
    fig = tiles.status_map(table, cfg, "met", "zh")
    colours = [s.fillcolor for s in fig.layout.shapes]
    assert len(colours) == 17
    assert colours.count(charts.RAG["red"]) == 1  # 华港镇, two targets short (4/6)
    assert colours.count(charts.RAG["amber"]) == 6 and colours.count(charts.RAG["green"]) == 10
    tile = next(t for t in fig.data[0].text if t.startswith("华港"))
    assert tile == "华港<br>4/6"


def test_a_province_of_1200_townships_gets_1200_distinct_tiles(tmp_path: Path, cfg: Config) -> None:
    """Every township placed, none sharing a tile (its speed is measured in bench/RESULTS.md §8)."""
    import pandas as pd

    from metrics import tiles
    from reform.config import Place

    places = tuple(Place(f"第{i}镇", 30 + (i % 40) * 0.05, 118 + (i // 40) * 0.05) for i in range(1200))
    where = tiles.positions(places)
    frame = pd.DataFrame(
        [{"township": n, "row": r, "col": c, "colour": charts.GREY, "text": n} for n, (r, c) in where.items()]
    )
    fig = charts.township_tiles(frame, "map", {charts.GREY: "无数据"}, "zh")
    assert len(fig.layout.shapes) == 1200 and len(set(where.values())) == 1200
