"""A throwaway dataset and KPI, declared in one extension file (tests/plugins/throwaway.py) plus a target
and a reporting duty in config.yaml, appear everywhere the product's own do (issue 12): the upload
and templates, the store, the area page and the overview, the slides and exports, the command line
and the completeness page. Run in fresh processes: the extension changes process-wide registries.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = {"REFORM_PLUGINS": "tests.plugins.throwaway"}
TRAININGS = "镇街,年度,培训场次\n罗塘街道,2025,7\n三水街道,2025,5\n"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory, sample_db: Path) -> tuple[Path, Path]:
    """A configuration with the extension's target and duty, and a sample store with its file ingested."""
    import shutil

    folder = tmp_path_factory.mktemp("extension")
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    text = text.replace("targets:  #", "targets:\n  training_sessions: {target: 20, amber: 10}  # sessions\n  #", 1)
    text = text.replace("reporting:  #", "reporting:  #", 1).replace(
        "    alumni: {frequency: year, by: district",
        "    trainings: {frequency: year, by: townships, due_days: 31}\n    alumni: {frequency: year, by: district",
        1,
    )
    text = text.replace("database: data/reform.duckdb", f"database: {folder / 'x.duckdb'}")
    text = text.replace("sample_dir: data/sample", f"sample_dir: {ROOT / 'data' / 'sample'}")
    config = folder / "config.yaml"
    config.write_text(text, encoding="utf-8")
    db = folder / "x.duckdb"
    shutil.copy(sample_db, db)
    data = folder / "培训.csv"
    data.write_text(TRAININGS, encoding="utf-8")
    stored = run("-m", "reform", "--config", str(config), "--db", str(db), "ingest", str(data), "--json", env=PLUGIN)
    assert stored.returncode == 0, stored.stderr
    assert json.loads(stored.stdout)["dataset"] == "trainings"  # recognised from its headers
    return config, db


def test_the_cli_figures_templates_and_exports(extended: tuple[Path, Path], tmp_path: Path) -> None:
    config, db = extended
    base = ["-m", "reform", "--config", str(config), "--db", str(db)]
    kpis = json.loads(run(*base, "kpis", "--json", env=PLUGIN).stdout)["kpis"]
    found = next(k for k in kpis if k["key"] == "training_sessions")
    assert (found["value"], found["target"], found["status"], found["area"]) == (12.0, 20.0, "amber", "pathways")
    template = tmp_path / "t.xlsx"
    assert run(*base, "template", "trainings", "--out", str(template), env=PLUGIN).returncode == 0
    book = openpyxl.load_workbook(template)
    sheet = book[book.sheetnames[0]]
    cells = {c.value for row in sheet.iter_rows(max_row=3) for c in row}
    assert {"镇街", "年度", "培训场次"}.issubset(cells)
    pack = tmp_path / "pack.html"
    assert run(*base, "export", "--format", "html", "--out", str(pack), env=PLUGIN).returncode == 0
    assert "团校培训场次" in pack.read_text(encoding="utf-8")


def test_a_target_missing_from_the_configuration_stops_start_up(extended: tuple[Path, Path]) -> None:
    _, db = extended
    refused = run("-m", "reform", "--db", str(db), "kpis", env=PLUGIN)  # the shipped config.yaml has no such target
    assert refused.returncode == 1
    assert "config targets.training_sessions: missing: KPI training_sessions is held to it" in refused.stderr


PAGES = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("dashboard.py", default_timeout=180)
at.run()
shown = {}
for page in ("app_pages/pathways.py", "app_pages/overview.py", "app_pages/completeness.py"):
    at.switch_page(page).run()
    assert not at.exception, at.exception
    shown[page] = {
        "metrics": [(m.label, m.value) for m in at.metric],
        "tables": [d.value.astype(str).to_csv() for d in at.dataframe],
        "text": [m.value for m in at.markdown],
    }
print(json.dumps(shown, ensure_ascii=False))
"""


def test_the_pages_show_the_extension(extended: tuple[Path, Path]) -> None:
    config, db = extended
    done = run("-c", PAGES, env={**PLUGIN, "REFORM_CONFIG": str(config), "REFORM_DB": str(db)})
    assert done.returncode == 0, done.stderr[-2000:]
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert ("团校培训场次", "12") in [tuple(m) for m in shown["app_pages/pathways.py"]["metrics"]]
    assert ("团校培训场次", "12") in [tuple(m) for m in shown["app_pages/overview.py"]["metrics"]]
    assert any("团校培训场次：12" in t for t in shown["app_pages/pathways.py"]["text"])  # its summary sentence
    assert any("团校培训" in t for t in shown["app_pages/completeness.py"]["tables"])


def test_a_new_file_format_is_one_reader_in_the_registry(monkeypatch: pytest.MonkeyPatch, cfg) -> None:
    """A pipe-separated export (``.psv``) becomes readable by registering one reader; the upload page's
    accepted endings come from the same registry."""
    from reform import ingest
    from reform.ingest import readers

    def read_psv(data: bytes, names: tuple[str, ...], limits: readers.Limits) -> readers.Sheet:
        return readers.read_csv(data.replace(b"|", b","), names, limits)

    data = "镇街|年度|经费类型|金额（元）\n罗塘街道|2025|青少年发展专项|9万\n".encode()
    assert ingest.validate(data, "经费.psv", cfg).errors[0].code == "unsupported_type"
    monkeypatch.setitem(readers.READERS, ".psv", read_psv)
    report = ingest.validate(data, "经费.psv", cfg)
    assert report.ok and report.frame.iloc[0]["amount_yuan"] == 90000
    page = (ROOT / "app_pages" / "upload.py").read_text(encoding="utf-8")
    assert 'type=[e.lstrip(".") for e in READERS]' in page
