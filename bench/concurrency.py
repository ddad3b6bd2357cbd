"""(4) The UI under load: page reruns in one session while another session uploads a million rows.

Run: ``python -m bench.concurrency`` (after ``python -m bench.ingest`` has written its 1M-row file).
Streamlit runs every session as a thread of one process, as here: one thread validates and
commits the 1,000,000-row Youth Homes file into a copy of the province store while this thread
reruns the overview page (AppTest, warm cache) as fast as it can. The baseline is the same
rerun with nothing else running; the figure is how much slower a rerun gets during the upload.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.common import DATA, machine, province, timed
from reform import config, ingest
from reform.store import Store

ROOT = Path(__file__).resolve().parent.parent
IDLE_RERUNS = 15


def upload(path: Path, config_path: Path, database: Path, done: dict[str, float]) -> None:
    start = time.perf_counter()
    cfg = config.load(config_path)
    report = ingest.validate(path.read_bytes(), path.name, cfg, "venues")
    done["validated"] = time.perf_counter() - start
    Store(database).commit(report, "bench")
    done["seconds"] = time.perf_counter() - start


def longest_stall(source: Path, config_path: Path, database: Path) -> tuple[float, float]:
    """The longest a thread sleeping 1 ms at a time waits while another thread uploads; (stall, upload) seconds."""
    done: dict[str, float] = {}
    worker = threading.Thread(target=upload, args=(source, config_path, database, done))
    worker.start()
    longest, last = 0.0, time.perf_counter()
    while worker.is_alive():
        time.sleep(0.001)
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    worker.join()
    return longest, done["seconds"]


def main(argv: list[str]) -> int:
    config_path, database = province(1200)
    source = DATA / "venues-1000000.csv"
    if not source.exists():
        raise SystemExit("run python -m bench.ingest first (it writes the 1,000,000-row file)")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "province.duckdb"
        shutil.copy(database, copy)
        os.environ["REFORM_CONFIG"], os.environ["REFORM_DB"] = str(config_path), str(copy)
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
        at.run()
        time.sleep(1.1)  # the store file settles, so reruns use the remembered data version
        idle = [timed(at.run) for _ in range(IDLE_RERUNS)]
        done: dict[str, float] = {}
        worker = threading.Thread(target=upload, args=(source, config_path, copy, done))
        during = []
        worker.start()
        while worker.is_alive():
            start = time.perf_counter()
            at.run()
            if worker.is_alive():  # a rerun that ended after the commit may be the first on new data
                during.append(time.perf_counter() - start)
        worker.join()
        if at.exception:
            raise RuntimeError(at.exception)
        other = Path(tmp) / "other.duckdb"
        Store(other).init()
        stall, alone = longest_stall(source, config_path, other)
    print(f"# concurrency: {machine()}")
    seconds, validated = done["seconds"], done["validated"]
    print(f"# upload of 1,000,000 rows in another thread: {seconds:.2f} s (checked after {validated:.2f} s)")
    print("state\treruns\tmedian_ms\tmax_ms")
    print(f"idle\t{len(idle)}\t{statistics.median(idle) * 1000:.1f}\t{max(idle) * 1000:.1f}")
    print(f"during_upload\t{len(during)}\t{statistics.median(during) * 1000:.1f}\t{max(during) * 1000:.1f}")
    print(f"# ratio of medians: {statistics.median(during) / statistics.median(idle):.1f}x")
    print(f"# upload into another file ({alone:.2f} s): longest wait of a thread sleeping 1 ms, {stall * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
