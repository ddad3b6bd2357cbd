"""Workbook readers take turns (issue 26, finding 2): each may take its whole memory limit, so a
server runs at most ``upload.readers_at_once`` of them; the others wait (the page says 排队中) and
are refused as busy after ``upload.reader_wait_seconds``. Real child processes, real workbooks."""

from __future__ import annotations

import threading
import time

import pytest

from reform.ingest import readers
from reform.limits import Limits
from tests import hostile


def test_a_reader_past_the_limit_waits_its_turn_and_says_so() -> None:
    limits = Limits(readers=1, wait_seconds=30)
    told: list[float] = []
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with readers.reader_turn(limits):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
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
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with readers.reader_turn(limits):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    try:
        with pytest.raises(readers.FileError) as refused:
            readers.read_excel(hostile.small_workbook(), ("staffing",), limits)
    finally:
        release.set()
        holder.join()
    assert refused.value.code == "readers_busy"
    assert readers.read_excel(hostile.small_workbook(), ("staffing",), limits).sheet_name == "staffing"  # turn free


def test_three_dense_workbooks_at_once_are_read_two_at_a_time_and_refused() -> None:
    """The finding's workbook (200 × 64,000 cells of 1: ~190 MB of XML in ~450 KB) is refused within
    the reader's memory limit; three at once run two readers, the third after them."""
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
    assert outcomes == ["excel_too_demanding"] * 3
    assert queued == ["clerk2"]  # the third waited for a turn
