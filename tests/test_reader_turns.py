"""Workbook readers take turns (issue 26, finding 2): each may take its whole memory limit, so a
server runs at most ``upload.readers_at_once`` of them; the others wait (the page says 排队中) and
are refused as busy after ``upload.reader_wait_seconds``. Real child processes, real workbooks."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from reform.ingest import readers
from reform.limits import Limits
from tests import hostile

ROOT = Path(__file__).resolve().parent.parent


def holding(limits: Limits) -> tuple[threading.Thread, threading.Event]:
    """Another upload's reader holding the only turn until the event returned is set."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with readers.reader_turn(limits):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    return holder, release


def test_a_reader_past_the_limit_waits_its_turn_and_says_so() -> None:
    limits = Limits(readers=1, wait_seconds=30)
    told: list[float] = []
    holder, release = holding(limits)
    readers.waiting.tell = lambda: told.append(time.monotonic())
    threading.Timer(1.0, release.set).start()
    started = time.monotonic()
    try:
        sheet = readers.read_excel(hostile.small_workbook(), ("staffing",), limits)
    finally:
        readers.waiting.tell = None
    holder.join()
    assert len(told) == 1 and told[0] - started < 0.5  # queued at once, and told so
    assert time.monotonic() - started >= 0.9  # read only after the first reader was done
    assert sheet.grid.iloc[1, 0] == "罗塘街道"


def test_a_reader_that_waited_too_long_is_refused_as_busy() -> None:
    limits = Limits(readers=1, wait_seconds=1)
    holder, release = holding(limits)
    try:
        with pytest.raises(readers.FileError) as refused:
            readers.read_excel(hostile.small_workbook(), ("staffing",), limits)
    finally:
        release.set()
        holder.join()
    assert refused.value.code == "readers_busy"
    assert readers.read_excel(hostile.small_workbook(), ("staffing",), limits).sheet_name == "staffing"  # turn free


def test_three_dense_workbooks_at_once_are_read_two_at_a_time_and_refused() -> None:
    """The finding's workbook (200 × 64,000 cells of 1: ~190 MB of XML in ~450 KB) is refused by the
    count of its cells before any is read; three at once run two readers, the third after them."""
    data, limits = hostile.dense(), Limits(readers=2, wait_seconds=120)
    assert len(data) < 600 * 1024
    queued: list[str] = []
    outcomes: list[str] = []

    def upload(name: str) -> None:
        readers.waiting.tell = lambda: queued.append(name)
        try:
            readers.read_excel(data, (), limits)
            outcomes.append("read")
        except readers.FileError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=upload, args=(f"clerk{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
        time.sleep(0.2)
    for thread in threads:
        thread.join(180)
    assert outcomes == ["sheet_too_large"] * 3
    assert queued == ["clerk2"]  # the third waited for a turn


def test_a_dense_sheet_is_refused_by_its_count_before_it_is_read(tmp_path: Path) -> None:
    """Counted as the XML goes by (no list of 12.8 million cells), stopped at the workbook limit:
    refused quickly, well inside the reader's memory, where reading it cost 887 MB and 12.6 s. Measured
    in a process of its own, whose only child is that reader."""
    path = tmp_path / "dense.xlsx"
    path.write_bytes(hostile.dense())
    code = (
        "import json, resource, sys, time\n"
        "from reform.ingest import readers\n"
        "from reform.limits import Limits\n"
        "started = time.monotonic()\n"
        "try:\n"
        "    readers.read_excel(open(sys.argv[1], 'rb').read(), (), Limits())\n"
        "    code = 'read'\n"
        "except readers.FileError as exc:\n"
        "    code = exc.code\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps([code, time.monotonic() - started, peak]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True, check=True)
    outcome, seconds, peak_kib = json.loads(done.stdout)
    assert outcome == "sheet_too_large"
    assert seconds < 10 and peak_kib < 600 * 1024, (seconds, peak_kib)
