"""Many sessions on one server: page times while 30 people switch page every 3 s (issue 16).

``python -m bench.load [--sessions 30] [--seconds 60] [--every 3]``

Starts the real server (``serve.py``) on a copy of the sample store and opens ``sessions``
sessions over the websocket as browsers do (``tests/wsclient.py``; dozens of Chromiums would not
fit on two cores). Each session opens the next page of the leaders' menu every ``every`` seconds
(overview, township profile, the six areas, completeness), starting at different pages, for
``seconds``; a page's time is from the request to the server's "script finished". Prints the
median, p95 and max page time, page views per minute, and the server's CPU seconds per page view
(``/proc/<pid>/stat`` before and after: what a page costs the machine, whoever else runs on it),
and the server's resident memory before, at the end and 5 s after the sessions closed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.abuse import rss_mib, settle, start
from bench.common import machine

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["", "township", "staffing", "venues", "alumni", "pathways", "funding", "inspections", "completeness"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


LOGIN: tuple[str, str] | None = None  # (name, password) the sessions sign in with, where accounts exist


def session_loop(url: str, index: int, stop: float, every: float, times: list[float], errors: list[str]) -> None:
    from tests import wsclient

    try:
        session = wsclient.open_session(url, timeout=120)
        if LOGIN is not None:
            wsclient.sign_in(session, *LOGIN, timeout=120)
    except Exception as exc:  # a session that cannot even open is a failure the figures must show
        errors.append(f"open: {type(exc).__name__}")
        return
    page = index
    try:
        while time.monotonic() < stop:
            began = time.monotonic()
            page += 1
            try:
                times.append(wsclient.switch_page(session, PAGES[page % len(PAGES)], timeout=120))
            except Exception as exc:
                errors.append(f"{PAGES[page % len(PAGES)]}: {type(exc).__name__}")
            time.sleep(max(0.0, every - (time.monotonic() - began)))
    finally:
        session.close()


def run(url: str, sessions: int, seconds: float, every: float) -> dict[str, object]:
    times: list[float] = []
    errors: list[str] = []
    stop = time.monotonic() + seconds
    workers = [
        threading.Thread(target=session_loop, args=(url, i, stop, every, times, errors), daemon=True)
        for i in range(sessions)
    ]
    for worker in workers:
        worker.start()
        time.sleep(every / sessions)  # people arrive spread over one period, not in one instant
    for worker in workers:
        worker.join(timeout=seconds + 300)
    ordered = sorted(times)
    return {
        "page_views": len(times),
        "errors": errors[:10],
        "median_s": round(statistics.median(ordered), 3) if ordered else None,
        "p95_s": round(ordered[int(0.95 * (len(ordered) - 1))], 3) if ordered else None,
        "max_s": round(ordered[-1], 3) if ordered else None,
        "views_per_minute": round(len(times) / seconds * 60, 1),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--every", type=float, default=3)
    parser.add_argument("--db", help="a store to copy (default: the sample store, made here)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        db = work / "load.duckdb"
        if args.db:
            shutil.copy(args.db, db)
        else:
            from reform import config, sample
            from reform.store import Store

            cfg = config.load().with_database(db)
            sample.load(Store(db), cfg)
        process, url = start(db)
        try:
            warm = run(url, 1, len(PAGES) * 1.5, 1.0)  # every page once: caches as a server has them
            memory = [rss_mib(process.pid)]
            before = cpu_seconds(process.pid)
            found = run(url, args.sessions, args.seconds, args.every)
            used = cpu_seconds(process.pid) - before
            memory += [rss_mib(process.pid), settle(process.pid)]
        finally:
            process.terminate()
            process.wait(timeout=30)
        views = int(found["page_views"]) or 1
        print(
            json.dumps(
                {
                    "machine": machine(),
                    "sessions": args.sessions,
                    "every_s": args.every,
                    "seconds": args.seconds,
                    **found,
                    "server_cpu_s": round(used, 1),
                    "server_cpu_ms_per_view": round(used / views * 1000, 1),
                    "warm_median_s": warm["median_s"],
                    "server_rss_mib_before_during_after": [round(m) for m in memory],
                }
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
