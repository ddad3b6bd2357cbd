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
