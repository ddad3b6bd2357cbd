"""Every misuse of the command line ends in a message and exit 1, never a traceback (issue 11, finding 12).

Also: ``--db``, ``--config`` and ``--lang`` are taken after the command as well as before it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reform import auth
from reform.config import Config
from reform.store import Store
from tests.cli import run

ROOT = Path(__file__).resolve().parent.parent


MISUSES = [  # (arguments after --db DB, a word the message must hold)
    ([], "usage"),
    (["frobnicate"], "invalid choice"),
    (["validate"], "file"),
    (["validate", "/no/such/file.csv"], "cannot read"),
    (["validate", "x.csv", "--dataset", "nonsense"], "invalid choice"),
    (["ingest", "/no/such/file.csv", "--json"], "cannot read"),
    (["kpis", "--first-year", "abc"], "invalid int"),
    (["history", "--batch", "999"], "no batch 999"),
    (["history", "--as", "nobody"], "no such enabled account"),
    (["rollback"], "batch"),
    (["rollback", "abc"], "invalid int"),
    (["rollback", "999"], "no batch 999"),
    (["restore"], "batch number or --from"),
    (["restore", "999"], "no batch 999"),
    (["restore", "1", "--slice", "township"], "expected township=…,period=…"),
    (["restore", "1", "--slice", "period=2024"], "missing: township"),
    (["restore", "1", "--slice", "township=罗塘街道,period=2024,period=2025"], "expected"),
    (["restore", "--from", "/no/such/backup"], "backup"),
    (["export", "--format", "doc", "--out", "x"], "invalid choice"),
    (["export", "--format", "pdf"], "--out"),
    (["user", "add", "x"], "--role"),
    (["user", "disable", "nobody"], "nobody"),
    (["user", "passwd", "nobody"], "nobody"),
    (["user"], "user_command"),
    (["audit", "--limit", "x"], "invalid"),
    (["audit", "--limit", "-5"], "at least 1"),
    (["kpis", "--first-year", "99999"], "年度范围有误"),
    (["kpis", "--first-year", "2025", "--last-year", "2024"], "起始不晚于结束"),
    (["template", "funding", "--out", "/no/such/folder/x.csv"], "template 未完成"),
    (["backup"], "--out"),
    (["template", "nonsense", "--out", "x.csv"], "invalid choice"),
    (["sample", "--scale", "abc"], "invalid int"),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, sample_db: Path) -> Path:
    import shutil

    target = tmp_path_factory.mktemp("misuse") / "m.duckdb"
    shutil.copy(sample_db, target)
    return target


@pytest.mark.parametrize(("args", "word"), MISUSES, ids=[" ".join(a) or "nothing" for a, _ in MISUSES])
def test_each_misuse_is_a_message_and_exit_1(db: Path, args: list[str], word: str) -> None:
    result = run("--db", str(db), *args, stdin="Password-long-1\nPassword-long-1\n")
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert "LINE 1" not in result.stderr and "SELECT" not in result.stderr  # no SQL text for an operator
    said = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith((" ", "usage:"))]
    assert len(said) == 1, result.stderr  # one line (after argparse's usage)
    assert word in result.stderr, result.stderr
    assert Store(db).data_version() == 6  # nothing was written by a misuse


def test_rolling_back_twice_or_an_empty_rollback_is_refused(sample_copy: Path, tmp_path: Path) -> None:
    db = str(sample_copy)
    assert run("--db", db, "rollback", "6").returncode == 0
    version = Store(sample_copy).data_version()
    again = run("--db", db, "rollback", "6")
    assert again.returncode == 1 and "nothing to roll back" in again.stderr
    new = tmp_path / "new.csv"  # a slice nobody reported before: its rollback stores no row
    new.write_text("镇街,年度,经费类型,金额（元）\n罗塘街道,2019,青少年发展专项,1万\n", encoding="utf-8")
    assert run("--db", db, "ingest", str(new)).returncode == 0
    assert run("--db", db, "rollback", str(version + 1)).returncode == 0
    empty = version + 2
    assert Store(sample_copy).batches().set_index("batch_id").at[empty, "rows_stored"] == 0
    undone = run("--db", db, "rollback", str(empty))  # undoing the emptying brings the slice back (issue 13)
    assert undone.returncode == 0
    assert Store(sample_copy).batches().set_index("batch_id").at[empty + 1, "rows_stored"] == 1
    for _ in range(2):  # after that there is nothing left to undo: refused, and no empty batch is made
        refused = run("--db", db, "rollback", str(empty))
        assert refused.returncode == 1 and "nothing to roll back" in refused.stderr
    assert Store(sample_copy).data_version() == empty + 1


def test_common_options_after_the_command(tmp_path: Path) -> None:
    db = tmp_path / "after.duckdb"
    loaded = run("sample", "--db", str(db))
    assert loaded.returncode == 0, loaded.stderr
    kpis = run("kpis", "--db", str(db), "--json", "--lang", "en")
    assert kpis.returncode == 0, kpis.stderr
    assert json.loads(kpis.stdout)["data_version"] == 6
    assert run("--db", str(db), "kpis", "--json").stdout == run("kpis", "--json", "--db", str(db)).stdout


def test_history_as_a_clerk_shows_only_their_township(sample_copy: Path, cfg: Config) -> None:
    """Issue 11, finding 9: batch 1 (the sample's staffing, 17 townships + 团区委) sent a clerk every row."""
    store = Store(sample_copy)
    auth.add_user(store, cfg, "luotang", "township", "Luotang-secret-pw", "罗塘街道")
    rows = json.loads(
        run("--db", str(sample_copy), "history", "--batch", "1", "--rows", "--as", "luotang", "--json").stdout
    )
    everyone = json.loads(run("--db", str(sample_copy), "history", "--batch", "1", "--rows", "--json").stdout)
    assert rows and {r["township"] for r in rows} == {"罗塘街道"}
    assert len({r["township"] for r in everyone}) == 18
    slices = json.loads(run("--db", str(sample_copy), "history", "--batch", "1", "--as", "luotang", "--json").stdout)
    assert {s["township"] for s in slices} == {"罗塘街道"}
    listing = json.loads(run("--db", str(sample_copy), "history", "--as", "luotang", "--json").stdout)
    assert listing and all("三水" not in b["slices"] for b in listing)
    assert all(b["dataset"] != "alumni" for b in listing)  # the district's programme: not a township's


def test_a_reader_that_stops_reading_is_no_error(sample_db: Path) -> None:
    """``kpis | head``: the reader closes the pipe before the command writes; the command ends quietly
    (status 120, as Python does for a closed pipe), not with "kpis: BrokenPipeError" on the terminal."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "reform", "--db", str(sample_db), "kpis"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # gone before the command has computed its first line
    error = process.stderr.read().decode()
    assert process.wait(timeout=120) == 120
    assert error == ""
