"""The upload corpus: every file, good or bad, gets the report declared for it in make_corpus.py."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reform import ingest
from reform.config import Config

HERE = Path(__file__).resolve().parent / "corpus"
ROOT = HERE.parent.parent
EXPECTED = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))


def test_the_corpus_is_large_and_varied() -> None:
    assert len(EXPECTED) >= 40
    suffixes = {Path(n).suffix for n in EXPECTED}
    assert {".csv", ".txt", ".tsv", ".xlsx", ".xls"} <= suffixes
    assert any(n.startswith("libreoffice_") for n in EXPECTED) and any(n.startswith("openpyxl_") for n in EXPECTED)


def cells(problems: list[ingest.Problem]) -> list[list[object]]:
    return sorted([[p.row, p.column] for p in problems], key=str)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_gets_its_declared_report(cfg: Config, name: str) -> None:
    want = EXPECTED[name]
    data = (HERE / "files" / name).read_bytes()
    report = ingest.validate(data, name, cfg, want["given_dataset"])
    got = {
        "dataset": report.dataset,
        "ok": report.ok,
        "rows_valid": report.rows_valid,
        "errors": cells(report.errors),
        "warnings": cells(report.warnings),
    }
    assert got == {k: v for k, v in want.items() if k != "given_dataset"}, [p.to_dict() for p in report.problems]
    for problem in report.problems:  # every message is in the user's language, both ways
        assert problem.message("zh") and problem.message("en")
        assert problem.message("zh") != problem.message("en")


def test_formula_and_html_are_stored_as_the_text_typed(cfg: Config) -> None:
    report = ingest.validate((HERE / "files" / "formula_and_html_as_text.csv").read_bytes(), "f.csv", cfg)
    assert list(report.frame["venue_name"]) == ['=HYPERLINK("http://x","点我")', "<script>alert(1)</script>"]


@pytest.mark.parametrize(
    "name",
    [
        "libreoffice_funding.xls",
        "openpyxl_two_row_merged_header.xlsx",
        "staffing_utf16_tab.txt",
        "gbk_with_bad_cells.csv",
    ],
)
def test_command_line_json_for_each_file_form(name: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reform", "validate", str(HERE / "files" / name), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    data = json.loads(result.stdout)
    want = EXPECTED[name]
    assert result.returncode == (0 if want["ok"] else 1)
    assert (data["dataset"], data["ok"], data["rows_valid"]) == (want["dataset"], want["ok"], want["rows_valid"])
    assert sorted([[e["row"], e["column"]] for e in data["errors"]], key=str) == want["errors"]


ZIP_BOMB_PROBE = """
import resource, sys, time
from reform import config, ingest
data = open(sys.argv[1], "rb").read()
start = time.perf_counter()
report = ingest.validate(data, "bomb.xlsx", config.load())
rss = [resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
print(time.perf_counter() - start, *rss, report.errors[0].code)
"""


def test_zip_bomb_is_refused_quickly_with_bounded_memory() -> None:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", ZIP_BOMB_PROBE, str(HERE / "files" / "zip_bomb.xlsx")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    seconds, max_rss_kb, child_rss_kb, code = result.stdout.split()
    assert code == "zip_bomb"
    assert float(seconds) < 10 and time.perf_counter() - start < 30
    assert int(max_rss_kb) < 1024 * 1024  # under 1 GB peak for the whole process
    assert int(child_rss_kb) < 1024 * 1024  # and for the child that opens the workbook (the probe's own,
    # not this test process's: other tests' children must not count)
