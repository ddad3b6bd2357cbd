"""Figures that must be right on a projector with no internet: the offline map, targets, colours."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from metrics import AREA_MODULES, alumni, charts
from metrics.base import Scope
from reform.config import Config
from reform.store import Store

ROOT = Path(__file__).resolve().parent.parent


def test_outline_rings_all_have_at_least_four_points() -> None:
    data = json.loads(alumni.OUTLINE.read_text(encoding="utf-8"))
    rings = [ring for rings in data["provinces"].values() for ring in rings]
    assert len(data["provinces"]) >= 34
    assert all(len(ring) >= 4 for ring in rings)  # a shorter ring stops plotly drawing what follows


def test_alumni_map_needs_no_map_server(sample_db: Path, cfg: Config) -> None:
    with Store(sample_db).reader() as q:
        fig = alumni.city_map(alumni.cities(q, cfg, Scope(2021, 2025)), cfg, "zh")
    spec = fig.to_plotly_json()
    assert {t["type"] for t in spec["data"]} == {"scatter"}  # no geo subplot: nothing fetched from a CDN
    covered = next(t for t in spec["data"] if t.get("name") == "已建立")
    assert len(fig.data[1].x) == 10 and covered["name"] == "已建立"
    labels = [a["text"] for a in spec["layout"]["annotations"]]
    assert set(cfg.city_names) <= set(labels) and "<b>姜堰区</b>" in labels


def test_crowded_labels_are_pushed_apart() -> None:
    offsets = alumni.label_offsets([118.8, 120.15, 121.47, 126.5], [32.06, 32.52, 31.23, 45.8])
    assert offsets[3] == (0.0, -22.0)  # alone: above its marker
    assert offsets[0][0] < 0 < offsets[2][0]  # 南京 pushed west, 上海 east


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
                    assert fig.data, name


def test_server_upload_limit_equals_the_configured_one(cfg: Config) -> None:
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert server["server"]["maxUploadSize"] == cfg.max_file_mb
    assert server["server"]["enableXsrfProtection"] is True
    assert server["client"]["showErrorDetails"] == "none"
