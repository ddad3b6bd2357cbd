"""Ingest cost: validate + commit of an N-row Youth Homes CSV vs DuckDB's bare ``read_csv`` of the same file.

Run: ``python -m bench.ingest [ROWS ...]`` (default 10000 100000). Prints one line per size.
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from reform import config, ingest
from reform.store import Store


def write_venues(path: Path, rows: int, cfg: config.Config) -> None:
    """A contract-valid Youth Homes file: one row per home and year, with varied cell forms."""
    tiers = ("专营店", "共营店", "shared")
    towns = cfg.township_names
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["阵地名称", "镇街", "类型", "启用日期", "统计期", "活动场次", "服务人次"])
        for i in range(rows):
            year = 2021 + i % 5
            writer.writerow(
                [
                    f"青年之家{i // 5}",
                    towns[i % len(towns)],
                    tiers[i % 3],
                    f"2020-{i % 12 + 1:02d}-15",
                    f"{year}年",
                    i % 90,
                    f"{i % 9000:,}",
                ]
            )


def measure(rows: int) -> tuple[float, float]:
    cfg = config.load()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "venues.csv"
        write_venues(path, rows, cfg)
        start = time.perf_counter()
        con = duckdb.connect(str(Path(tmp) / "bare.duckdb"))
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')")
        con.close()
        bare = time.perf_counter() - start
        start = time.perf_counter()
        report = ingest.validate(path.read_bytes(), path.name, cfg, "venues")
        assert report.ok, report.to_dict()["errors"][:3]
        store = Store(Path(tmp) / "ours.duckdb")
        store.init()
        store.commit(report, "bench")
        ours = time.perf_counter() - start
    return bare, ours


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [10_000, 100_000]
    print("rows\tduckdb_read_csv_s\tours_validate_commit_s\tratio")
    for rows in sizes:
        bare, ours = measure(rows)
        print(f"{rows}\t{bare:.3f}\t{ours:.3f}\t{ours / bare:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
