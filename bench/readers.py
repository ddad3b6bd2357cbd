"""Ten clerks upload the dense workbook at once (issue 26, finding 2), while a leader reads the overview.

``python -m bench.readers [--uploads 10]``: one process plays the server. ``--uploads`` threads check the
workbook of 200 × 64,000 cells of 1 (~190 MB of XML in ~450 KB: under the unzip cap and the cell
limit) as the upload page does; meanwhile the main thread draws a leader's overview figures again and
again on the sample store, and a sampler adds up the resident memory of this process and its reader
processes every 0.1 s. Two runs in the same process: the earlier limits (every upload its own reader
at once, 2 GB and 30 s each, a sheet's cells capped at 20 million like a CSV's) and today's
(``upload.readers_at_once`` 2, 1 GB and 20 s each, 5 million cells counted before reading). The page
time is a ratio against the same page drawn with no upload running.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _run(cfg: object, store: object, data: bytes, uploads: int, page: object) -> dict[str, object]:
    from reform import ingest

    me = os.getpid()
    peak = {"server": 0.0, "with_readers": 0.0, "readers_at_once": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            children = _children(me)
            server = _rss_mib(me)
            peak["server"] = max(peak["server"], server)
            peak["with_readers"] = max(peak["with_readers"], server + sum(_rss_mib(c) for c in children))
            peak["readers_at_once"] = max(peak["readers_at_once"], len(children))
            time.sleep(0.1)

    outcomes: list[str] = []

    def upload(n: int) -> None:
        report = ingest.validate(data, f"dense{n}.xlsx", cfg)
        outcomes.append(report.errors[0].code if report.errors else "read")

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    threads = [threading.Thread(target=upload, args=(n,)) for n in range(uploads)]
    for thread in threads:
        thread.start()
    pages = []
    while any(t.is_alive() for t in threads):
        pages.append(page())
    for thread in threads:
        thread.join()
    done.set()
    sampler.join()
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "peak_server_mib": round(peak["server"]),
        "peak_with_readers_mib": round(peak["with_readers"]),
        "readers_at_once": peak["readers_at_once"],
        "page_median_ms": round(statistics.median(pages) * 1000, 1),
        "page_max_ms": round(max(pages) * 1000, 1),
        "outcomes": sorted(set(outcomes)),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.readers")
    parser.add_argument("--uploads", type=int, default=10)
    args = parser.parse_args(argv)
    from bench.common import machine
    from metrics import overview
    from reform import audience, config, sample
    from reform.limits import Limits
    from reform.store import Store
    from tests import hostile

    cfg = config.load()
    folder = Path(tempfile.mkdtemp(prefix="bench-readers-"))
    store = Store(folder / "sample.duckdb")
    sample.load(store, cfg.with_database(store.path))

    def page() -> float:
        started = time.perf_counter()
        seen = audience.decide(store, cfg, None)
        with seen.view.reading(store) as q:
            overview.kpis(q, cfg, seen.scope)
        return time.perf_counter() - started

    data = hostile.dense()
    quiet = statistics.median(page() for _ in range(20))
    before = Limits(memory_mb=2048, seconds=30, readers=args.uploads, wait_seconds=600, max_workbook_cells=20_000_000)
    earlier = replace(cfg, limits=before)
    today = replace(cfg, limits=Limits())
    result: dict[str, object] = {"machine": machine(), "uploads": args.uploads, "file_kib": len(data) // 1024}
    result["page_alone_ms"] = round(quiet * 1000, 1)
    for name, limited in (("earlier", earlier), ("today", today)):
        found = _run(limited, store, data, args.uploads, page)
        found["page_ratio"] = round(found["page_median_ms"] / 1000 / quiet, 2)
        result[name] = found
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
