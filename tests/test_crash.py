"""Crash drill: an ingest process killed (SIGKILL) at random moments, 20 times. Each time the
database opens, every batch is wholly there or wholly absent, and ``kpis`` answers with the
figures from before or after that batch."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from reform.store import Store

ROOT = Path(__file__).resolve().parent.parent
KILLS = 20


def big_venues_file(path: Path, n: int, rows: int = 300_000) -> None:
    """A Youth Homes file big enough that a kill can land while it is read, checked or written.

    Ingest is columnar (about 2 s per million rows), so the file has to be large for the
    process to live past start-up for most of the kill moments."""
    towns = ["罗塘街道", "三水街道", "天目山街道", "梁徐街道", "张甸镇", "顾高镇", "大伦镇", "蒋垛镇", "娄庄镇"]
    lines = ["阵地名称,镇街,类型,启用日期,统计期,活动场次"]
    lines += [f"演练之家{i},{towns[i % len(towns)]},共营店,2022-01-01,{2000 + i % 26},{n}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def consistent(db: Path) -> tuple[int, dict[str, float | None]]:
    """Every batch's rows are all there; no row without its batch; kpis answer."""
    store = Store(db)
    with store.connect() as con:
        for dataset in ("staffing", "venues", "alumni", "funding", "inspections", "members"):
            orphans = con.execute(
                f"SELECT count(*) FROM {dataset} WHERE batch_id NOT IN (SELECT batch_id FROM batches)"
            ).fetchall()[0][0]
            assert orphans == 0, dataset
        partial = con.execute(
            "SELECT b.batch_id FROM batches b LEFT JOIN (SELECT batch_id, count(*) AS n FROM venues GROUP BY ALL) v "
            "USING (batch_id) WHERE b.dataset = 'venues' AND coalesce(v.n, 0) <> b.rows_stored"
        ).fetchall()
        assert partial == []
    result = subprocess.run(
        [sys.executable, "-m", "reform", "--db", str(db), "kpis", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    kpis = {k["key"]: k["value"] for k in json.loads(result.stdout)["kpis"]}
    return store.data_version(), kpis


def _ingest(db: Path, source: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "reform", "--db", str(db), "ingest", str(source), "--dataset", "venues"]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_killed_ingests_leave_every_batch_whole(sample_copy: Path, tmp_path: Path) -> None:
    """The kill moments are drawn across the length of a whole ingest measured first on this machine
    (start-up, reading, checking, the commit), so that they land inside ingests on a fast machine and
    a slow one alike (fixed moments once let 11 of 20 ingests finish first on a quick CI run)."""
    rnd = random.Random(20211101)  # noqa: S311 - reproducible kill moments, not cryptography
    version, figures = consistent(sample_copy)
    history = {version: figures}
    source = tmp_path / "venues-whole.csv"
    big_venues_file(source, KILLS)
    started = time.monotonic()
    assert _ingest(sample_copy, source).wait() == 0
    whole = time.monotonic() - started  # one ingest from start to end, here
    version, figures = consistent(sample_copy)
    history[version] = figures
    completed = killed = 0
    for n in range(KILLS):
        source = tmp_path / f"venues{n}.csv"
        big_venues_file(source, n)
        process = _ingest(sample_copy, source)
        time.sleep(rnd.uniform(0.1, 0.95) * whole)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            killed += 1
        else:
            completed += 1
        process.wait()
        new_version, new_figures = consistent(sample_copy)
        assert new_version in (version, version + 1)  # the batch is there or not, nothing in between
        if new_version == version:
            assert new_figures == history[version]
        history[new_version] = new_figures
        version = new_version
    assert killed >= KILLS // 2, f"only {killed} kills landed during an ingest ({completed} finished first)"
