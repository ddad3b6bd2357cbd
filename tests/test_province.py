"""Province-scale data: a generated configuration and files that the normal ingest path accepts whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reform import config, ingest, province
from reform.config import Config
from reform.ingest.cells import read_township
from reform.store import Store

ROOT = Path(__file__).resolve().parent.parent


def test_township_names_are_unique_even_without_their_suffix() -> None:
    names = province.township_names(1200)
    assert len(set(names)) == 1200
    bare = {n.removesuffix("街道").removesuffix("镇").removesuffix("乡") for n in names}
    assert len(bare) == 1200
    towns = tuple(names)
    assert all(read_township(n, towns, "团区委") == n for n in names[:50])


def test_files_validate_whole_and_rows_scale_with_the_townships(cfg: Config, tmp_path: Path) -> None:
    config_path, files, total = province.write(cfg, 12, tmp_path)
    scaled = config.load(config_path)
    assert len(scaled.townships) == 12 and scaled.max_file_mb == province.MAX_FILE_MB
    per_town = 20 * 5 + 20 * province.HOMES_PER_TOWNSHIP + 5 + 5 * province.UNITS_PER_TOWNSHIP
    per_town += 5 * province.INSPECTED_PER_ROUND
    fixed = 20 + 5 + 5 * len(scaled.cities)  # district flagship per quarter, district pilot funds, alumni
    assert total == 12 * per_town + fixed
    rows = 0
    for path in files:
        report = ingest.validate(path.read_bytes(), path.name, scaled, path.stem)
        assert report.ok, (path.name, report.to_dict("en")["errors"][:3])
        assert not report.warnings, (path.name, report.to_dict("en")["warnings"][:3])
        rows += report.rows_valid
    assert rows == total
    assert 1200 * per_town >= 1_000_000  # the province's 1,200 townships give over a million rows


def reform_cli(*args: str) -> str:
    """Run ``python -m reform ARGS`` (English messages) and return what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "reform", "--lang", "en", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout


def test_cli_writes_and_loads_a_province_into_its_own_store(tmp_path: Path) -> None:
    database = tmp_path / "p.duckdb"
    assert "6 files" in reform_cli("--db", str(database), "sample", "--scale", "6")
    config_path = tmp_path / "province-6" / "config.yaml"
    assert '"flagship_homes"' in reform_cli("--config", str(config_path), "--db", str(database), "kpis", "--json")


def test_make_runs_sample_if_empty_leaves_a_province_store_alone(cfg: Config, tmp_path: Path) -> None:
    """The generated configuration turns the district sample off: an empty province store stays empty."""
    config_path, _, _ = province.write(cfg, 3, tmp_path / "p")
    database = tmp_path / "empty.duckdb"
    out = reform_cli("--config", str(config_path), "--db", str(database), "sample", "--if-empty")
    assert "sample data not loaded" in out
    assert Store(database).data_version() == 0
