"""The command line's read-ahead: the same answer as reading afresh, used only for the very bytes it read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from reform import fingerprint, ingest, readahead
from reform.config import Config
from tests.cli import run as run_cli

ROOT = Path(__file__).resolve().parent.parent
HEADER = "阵地名称,镇街,类型,启用日期,统计期,活动场次,服务人次\n"


def venues(path: Path, rows: int) -> Path:
    lines = (f'青年之家{i}号,罗塘街道,专营店,2020-01-15,2025年第一季度,{i % 7},"1,{i % 1000:03d}"' for i in range(rows))
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_read_ahead_gives_what_a_fresh_read_gives(tmp_path: Path, cfg: Config) -> None:
    path = venues(tmp_path / "阵地.csv", 5_000)
    readahead.start(path)
    data = readahead.data(path)
    assert data == path.read_bytes()
    ahead = ingest.validate(data, path.name, cfg, "venues")
    assert "file" not in readahead._current  # its parse was taken (and let go)
    fresh = ingest.validate(path.read_bytes(), path.name, cfg, "venues")
    assert ahead.ok and ahead.to_dict() == fresh.to_dict()
    pd.testing.assert_frame_equal(ahead.frame, fresh.frame)


def test_other_bytes_are_read_afresh(tmp_path: Path, cfg: Config) -> None:
    """Bytes that are not the read-ahead's own object (an edited copy) never get its grid."""
    path = venues(tmp_path / "阵地.csv", 200)
    readahead.start(path)
    data = readahead.data(path)
    edited = data.replace("青年之家7号".encode(), "青年之家甲号".encode())
    report = ingest.validate(edited, path.name, cfg, "venues")
    assert "青年之家甲号" in set(report.frame["venue_name"]) and "青年之家7号" not in set(report.frame["venue_name"])
    assert readahead._current.get("file") is not None  # not handed out for the edited bytes
    assert readahead.grid(data, ",", 7) != (False, None)  # its own bytes still get it


def test_the_fingerprint_read_ahead_is_the_files_own(tmp_path: Path, cfg: Config) -> None:
    """The read-ahead hashes its bytes beside the parse; only those very bytes get its answer, and it is
    the fingerprint a fresh read gives (the duplicate-upload check compares them)."""
    path = venues(tmp_path / "阵地.csv", 300)
    readahead.start(path)
    data = readahead.data(path)
    assert readahead.digest(data) == fingerprint.of(path.read_bytes()) == ingest.content_hash(data)
    copy = bytes(bytearray(data))  # equal bytes, another object: hashed afresh, to the same answer
    assert readahead.digest(copy) is None and ingest.content_hash(copy) == fingerprint.of(data)
    edited = data.replace("青年之家7号".encode(), "青年之家甲号".encode())
    assert readahead.digest(edited) is None and ingest.content_hash(edited) != ingest.content_hash(data)
    readahead.grid(data, ",", 7)  # taken: the read-ahead lets go of the file
    given = ingest.validate(copy, path.name, cfg, "venues", digest=fingerprint.of(copy))  # as the upload page asks
    assert given.ok and given.content_hash == ingest.validate(copy, path.name, cfg, "venues").content_hash


def without_read_ahead(*args: str) -> subprocess.CompletedProcess[str]:
    """The same command through ``reform.cli`` directly: nothing read ahead."""
    return subprocess.run(
        [sys.executable, "-c", "import sys; from reform.cli import main; sys.exit(main())", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_command_line_answers_the_same_with_and_without_the_read_ahead(tmp_path: Path) -> None:
    """A plain file, a GBK file, a spaced quote and a too-wide row: where the read-ahead steps aside the
    reader says why, in the same words."""
    plain = venues(tmp_path / "阵地.csv", 3_000)
    gbk = tmp_path / "经费.csv"
    gbk.write_bytes("镇街,年度,经费类型,金额（元）\n罗塘街道,2025,青少年发展专项,5万\n".encode("gbk"))
    spaced = venues(tmp_path / "spaced.csv", 50)
    spaced.write_text(spaced.read_text(encoding="utf-8").replace(',"1,', ', "1,'), encoding="utf-8")
    wide = tmp_path / "wide.csv"
    wide.write_text(HEADER + "x," * 400 + "\n", encoding="utf-8")
    for path in (plain, gbk, spaced, wide):
        ahead = run_cli("validate", str(path), "--json")
        assert ahead.returncode in (0, 1), ahead.stderr
        assert json.loads(ahead.stdout) == json.loads(without_read_ahead("validate", str(path), "--json").stdout)
    assert json.loads(run_cli("validate", str(plain), "--json").stdout)["ok"]
