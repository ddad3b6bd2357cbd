"""Ingest of a file whose values do not repeat, as a user runs it (issue 16).

``python -m bench.distinct [--rows 1000000] [--repeat 3]``

A Youth Home CSV in which every 阵地名称 is different (the sample district's 17 townships, a
configuration with a 200 MB upload limit), ingested by ``python -m reform ingest FILE --dataset
venues`` into an empty store: wall time and peak memory of that whole process (start-up included).
The baseline is DuckDB's bare ``read_csv`` of the same file into a table in a database file, in a
fresh process too: its time inside the process (what the issue measured, 0.79–0.87 s) and its
whole process. Sides run in turns; medians of ``repeat`` runs.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bench.common import DATA, machine

ROOT = Path(__file__).resolve().parent.parent
BARE = """
import sys, time, duckdb
start = time.perf_counter()
con = duckdb.connect(sys.argv[2])
con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [sys.argv[1]])
con.close()
print(time.perf_counter() - start)
"""


def write_file(path: Path, rows: int, towns: list[str]) -> None:
    tiers = ("专营店", "共营店", "shared")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["阵地名称", "镇街", "类型", "启用日期", "统计期", "活动场次", "服务人次"])
        for i in range(rows):
            writer.writerow(
                [
                    f"青年之家{i}号",  # every name different
                    towns[i % len(towns)],
                    tiers[i % 3],
                    f"2020-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
                    f"{2021 + (i // 7) % 5}年第{'一二三四'[i % 4]}季度",
                    i % 90,
                    f"{i % 9000:,}",
                ]
            )


def run(command: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak resident MiB, stdout) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = child.stdout.read() if child.stdout else b""
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if status:
        raise RuntimeError(f"{command} failed ({status})")
    return wall, usage.ru_maxrss / 1024, out.decode()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.distinct")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from reform import config

    cfg = config.load()
    path = DATA / f"venues-distinct-{args.rows}.csv"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        write_file(path, args.rows, list(cfg.township_names))
    work = Path(tempfile.mkdtemp(prefix="bench-distinct-"))
    try:
        data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
        data["upload"]["max_file_mb"] = 200
        data["storage"]["sample_dir"] = str(ROOT / "data" / "sample")
        (work / "config.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        ours, bare, inside = [], [], []
        for n in range(args.repeat):
            db = work / f"ours-{n}.duckdb"
            command = [sys.executable, "-m", "reform", "--config", str(work / "config.yaml"), "--db", str(db)]
            ours.append(run([*command, "ingest", str(path), "--dataset", "venues", "--json"]))
            found = run([sys.executable, "-c", BARE, str(path), str(work / f"bare-{n}.duckdb")])
            bare.append(found)
            inside.append(float(found[2]))
        wall = statistics.median(o[0] for o in ours)
        bare_wall, bare_inside = statistics.median(b[0] for b in bare), statistics.median(inside)
        print(
            json.dumps(
                {
                    "machine": machine(),
                    "rows": args.rows,
                    "file_mb": round(path.stat().st_size / 2**20, 1),
                    "ours_whole_process_s": round(wall, 2),
                    "ours_peak_mib": round(max(o[1] for o in ours)),
                    "bare_read_csv_in_process_s": round(bare_inside, 2),
                    "bare_whole_process_s": round(bare_wall, 2),
                    "ratio_to_bare_in_process": round(wall / bare_inside, 2),
                    "ratio_to_bare_whole_process": round(wall / bare_wall, 2),
                    "runs_ours_s": [round(o[0], 2) for o in ours],
                    "runs_bare_in_process_s": [round(x, 2) for x in inside],
                }
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
