"""Hostile files end in a clear refusal, quickly and in bounded memory; the checking process survives.

Issue 11, findings 1–3: a 1.7 KB workbook that declares 17 billion cells aborted the whole
server; broken or forged workbooks ended in tracebacks; a million-column CSV took 73 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reform import ingest
from reform.config import Config
from reform.ingest import readers
from reform.limits import Limits
from tests.hostile import HOSTILE, small_workbook

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = {  # file -> the message code it is refused with
    "dimension_bomb.xlsx": "sheet_too_wide",
    "dimension_declared.xlsx": "sheet_too_wide",
    "column_z_bomb.xlsx": "sheet_too_large",
    "broken_sheet.xlsx": "excel_broken_xml",
    "forged_small.xlsx": "not_excel",
    "forged_huge.xlsx": "zip_bomb",
    "million_columns.csv": "too_many_columns",
    "million_commas.csv": "too_many_columns",
}


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, build in HOSTILE.items():
        (folder / name).write_bytes(build())
    return folder


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_hostile_file_is_refused_with_its_reason(name: str, hostile_dir: Path, cfg: Config) -> None:
    data = (hostile_dir / name).read_bytes()
    started = time.monotonic()
    report = ingest.validate(data, name, cfg)
    elapsed = time.monotonic() - started
    assert not report.ok and report.frame is None
    assert [p.code for p in report.errors] == [EXPECTED[name]]
    assert elapsed < 5, f"{name} took {elapsed:.1f} s"
    message = report.errors[0].message("zh")
    assert "{" not in message
    assert "已拒绝" in message or "损坏" in message


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_cli_refuses_each_in_json_under_5_s_and_1_gb(name: str, hostile_dir: Path, tmp_path: Path) -> None:
    """One wrapper process runs the CLI and reports the peak RSS of its largest descendant (the checking process)."""
    measure = (
        "import resource, subprocess, sys, time\n"
        "t = time.monotonic()\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(r.returncode, time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "print(r.stdout)\n"
        "print(r.stderr, file=sys.stderr)\n"
    )
    command = [sys.executable, "-m", "reform", "--db", str(tmp_path / "x.duckdb"), "validate"]
    done = subprocess.run(
        [sys.executable, "-c", measure, *command, str(hostile_dir / name), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    first, _, rest = done.stdout.partition("\n")
    code, seconds, peak_kb = first.split()
    assert int(code) == 1, done.stderr
    assert "Traceback" not in done.stderr
    answer = json.loads(rest)
    assert answer["ok"] is False and len(answer["errors"]) == 1
    assert float(seconds) < 5
    assert int(peak_kb) < 1024 * 1024, f"peak {int(peak_kb) // 1024} MB"


def test_a_reader_stopped_by_its_memory_limit_is_a_refusal() -> None:
    """The child's address-space limit is the backstop behind the declared-size checks: with those
    checks opened wide, the dimension bomb makes the reader ask for 512 GiB, which kills the child
    (as it killed the whole server before) and is answered as a refusal."""
    limits = Limits(max_columns=16_384, max_cells=10**12, max_workbook_cells=10**12, memory_mb=512)
    started = time.monotonic()
    with pytest.raises(readers.FileError) as caught:
        readers.read_excel(HOSTILE["dimension_bomb.xlsx"](), ("staffing",), limits)
    assert caught.value.code == "excel_too_demanding"
    assert time.monotonic() - started < 5


def test_a_reader_out_of_time_is_a_refusal() -> None:
    """A wall-clock limit as well as the CPU one: a reader that hangs is stopped."""
    limits = Limits(seconds=1)
    slow = [sys.executable, "-c", "import time; time.sleep(30)"]
    started = time.monotonic()
    with pytest.raises(readers.FileError) as caught:
        readers.run_confined(slow, b"", limits)
    assert caught.value.code == "excel_timeout"
    assert time.monotonic() - started < 10


def test_a_normal_workbook_still_reads_through_the_child(cfg: Config) -> None:
    report = ingest.validate(small_workbook(), "队伍配备.xlsx", cfg)
    assert report.ok and report.rows_valid == 1
    assert report.frame.iloc[0]["township"] == "罗塘街道"


def test_a_csv_row_wider_than_the_limit_further_down_names_its_row(cfg: Config) -> None:
    head = "镇街,统计期,岗位类型,核定数,在岗数\n" + "罗塘街道,2024-Q1,专职团干部,2,2\n" * 60
    for encoding in ("utf-8", "gbk"):  # DuckDB's path and the exact reader's give the same verdict
        data = (head + "x," * 500 + "\n").encode(encoding)
        report = ingest.validate(data, "wide.csv", cfg)
        assert [(p.code, p.row) for p in report.errors if p.code != "duplicate_key"] == [("too_many_columns", 62)]


def test_limits_come_from_the_configuration(cfg: Config, tmp_path: Path) -> None:
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    assert "max_columns:" in text and "reader_memory_mb:" in text  # documented in the shipped file
    narrow = text.replace("max_columns: 200", "max_columns: 12")
    path = tmp_path / "config.yaml"
    path.write_text(narrow, encoding="utf-8")
    from reform import config

    small = config.load(path)
    data = ("a," * 13 + "\n").encode()
    report = ingest.validate(data, "x.csv", small)
    assert report.errors[0].code == "too_many_columns"
    assert report.errors[0].params["limit"] == 12


def test_a_wrong_limit_in_the_configuration_names_its_key(tmp_path: Path) -> None:
    from reform import config

    text = (ROOT / "config.yaml").read_text(encoding="utf-8").replace("reader_seconds: 20", "reader_seconds: -3")
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(config.ConfigError, match=r"upload\.reader_seconds"):
        config.load(path)
