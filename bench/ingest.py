"""(a) and (d): validate + commit of an N-row CSV vs DuckDB's bare ``read_csv`` of the same file into a table.

Run: ``python -m bench.ingest [ROWS ...]`` (default 10000 100000 1000000). Each side runs in a
fresh process that reports its own time and peak memory, three times in turns; one line per
size with the medians and their ratio.
The file is a province's Youth Homes (青年之家) report: 1,200 townships, quarterly periods.
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
import time
from pathlib import Path

from bench.common import DATA, child, machine, peak_mib, province

REPEAT = 3  # runs per side and size; the median is reported
HEADER = ["阵地名称", "镇街", "类型", "启用日期", "统计期", "活动场次", "服务人次"]


def write_venues(path: Path, rows: int, towns: list[str]) -> None:
    """A contract-valid Youth Homes file: one row per home and quarter, with varied cell forms."""
    tiers = ("专营店", "共营店", "shared")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            home, quarter = divmod(i, 20)
            writer.writerow(
                [
                    f"青年之家{home}号",
                    towns[home % len(towns)],
                    tiers[home % 3],
                    f"2020-{home % 12 + 1:02d}-15",
                    f"{2021 + quarter // 4}年第{'一二三四'[quarter % 4]}季度",
                    i % 90,
                    f"{i % 9000:,}",
                ]
            )


def run_bare(path: str) -> dict[str, float]:
    import duckdb

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        con = duckdb.connect(str(Path(tmp) / "bare.duckdb"))
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')")
        rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
        con.close()
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": rows, "peak_mib": peak_mib()}


def run_ours(path: str, config_path: str) -> dict[str, float]:
    from reform import config, ingest
    from reform.store import Store

    cfg = config.load(config_path)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "ours.duckdb")
        store.init()  # an empty store exists before anyone uploads
        start = time.perf_counter()
        data = Path(path).read_bytes()
        report = ingest.validate(data, Path(path).name, cfg, "venues")
        if not report.ok:
            raise SystemExit(json.dumps(report.to_dict("en")["errors"][:3], ensure_ascii=False))
        result = store.commit(report, "bench")
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": result.rows_stored, "peak_mib": peak_mib()}


def measure(rows: int, config_path: Path) -> dict[str, dict[str, float]]:
    from reform import config

    path = DATA / f"venues-{rows}.csv"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        write_venues(path, rows, list(config.load(config_path).township_names))
    runs: dict[str, list[dict[str, float]]] = {"bare": [], "ours": []}
    for _ in range(REPEAT):  # in turns, so a slow moment of the machine falls on both sides
        runs["bare"].append(child("bench.ingest", "--bare", str(path)))
        runs["ours"].append(child("bench.ingest", "--ours", str(path), str(config_path)))
    for side in runs.values():
        assert all(r["rows"] == rows for r in side), side
    return {name: _median(side) for name, side in runs.items()}


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run of median time (its memory with it)."""
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def main(argv: list[str]) -> int:
    if argv[:1] == ["--bare"]:
        print(json.dumps(run_bare(argv[1])))
        return 0
    if argv[:1] == ["--ours"]:
        print(json.dumps(run_ours(argv[1], argv[2])))
        return 0
    sizes = [int(a) for a in argv] or [10_000, 100_000, 1_000_000]
    config_path, _ = province(1200)
    print(f"# ingest: {machine()}")
    print("rows\tbare_read_csv_s\tours_validate_commit_s\tratio\tbare_peak_MiB\tours_peak_MiB\tours_s_per_1M_rows")
    for rows in sizes:
        m = measure(rows, config_path)
        bare, ours = m["bare"], m["ours"]
        print(
            f"{rows}\t{bare['seconds']:.3f}\t{ours['seconds']:.3f}\t{ours['seconds'] / bare['seconds']:.2f}x\t"
            f"{bare['peak_mib']:.0f}\t{ours['peak_mib']:.0f}\t{ours['seconds'] / rows * 1e6:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
