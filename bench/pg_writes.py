"""Small writes on the PostgreSQL store, as every app server makes them all day.

``python -m bench.pg_writes [--writes 15] [--rounds 2] [--against DIR]`` (Debian's PostgreSQL, initdb
into a temporary folder): one server commits a one-row Youth Home upload, and a second server's
replica catches up with it; medians of ``--writes`` writes, against what PostgreSQL alone needs in
the same process: a transaction inserting one row into a bare table and moving a version counter,
and the one query a page run makes when nothing changed. ``--against DIR`` measures another checkout
(an earlier commit) the same way, in turns with this one, each round into a new database.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run in a child process with the code of the checkout measured (only interfaces every version has).
CHILD = """
import json, statistics, sys, time
import psycopg
from reform import config, ingest
from reform.pgstore import PgStore

url, writes = sys.argv[1], int(sys.argv[2])
cfg = config.load()
writer = PgStore(url)
writer.init()
reader = object.__new__(PgStore)  # a second server: its own replica of the same database
PgStore.__init__(reader, url + "?application_name=second")
reader.init()
header = "阵地名称,镇街,类型,启用日期,统计期,活动场次,服务人次\\n"
commits, syncs = [], []
for n in range(writes):
    row = f"青年之家{n}号,罗塘街道,专营店,2020-01-15,2025年第一季度,{n},{n * 3}\\n"
    report = ingest.validate((header + row).encode(), f"v{n}.csv", cfg, "venues", store=writer)
    assert report.ok, report.to_dict()
    started = time.perf_counter()
    writer.commit(report, "bench")
    commits.append(time.perf_counter() - started)
    started = time.perf_counter()
    reader.sync()
    syncs.append(time.perf_counter() - started)
bare_writes, bare_reads = [], []
with psycopg.connect(url) as con:
    con.execute("CREATE TABLE bare_write (n integer, name text)")
    con.execute("CREATE TABLE bare_version (version bigint)")
    con.execute("INSERT INTO bare_version VALUES (0)")
    con.commit()
    for n in range(writes):
        started = time.perf_counter()
        con.execute("INSERT INTO bare_write VALUES (%s, %s)", [n, "青年之家"])
        con.execute("UPDATE bare_version SET version = version + 1")
        con.commit()
        bare_writes.append(time.perf_counter() - started)
        started = time.perf_counter()
        con.execute("SELECT version FROM bare_version").fetchall()
        con.commit()
        bare_reads.append(time.perf_counter() - started)
print(json.dumps({
    "commit_ms": statistics.median(commits) * 1000,
    "sync_ms": statistics.median(syncs) * 1000,
    "bare_write_ms": statistics.median(bare_writes) * 1000,
    "bare_read_ms": statistics.median(bare_reads) * 1000,
}))
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pg_writes")
    parser.add_argument("--writes", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--against", type=Path, help="another checkout, measured in turns with this one")
    args = parser.parse_args(argv)
    from bench.common import machine, postgres_rounds

    trees = {"this": ROOT} | ({"against": args.against} if args.against else {})
    found = postgres_rounds(trees, args.rounds, CHILD, str(args.writes))
    result: dict[str, object] = {"machine": machine(), "writes": args.writes, "rounds": args.rounds}
    for name, runs in found.items():
        for key in ("commit_ms", "sync_ms", "bare_write_ms", "bare_read_ms"):
            result[f"{name}_{key}"] = [round(r[key], 1) for r in runs]
        result[f"{name}_ratio_commit"] = round(statistics.median(r["commit_ms"] / r["bare_write_ms"] for r in runs), 1)
        result[f"{name}_ratio_sync"] = round(statistics.median(r["sync_ms"] / r["bare_read_ms"] for r in runs), 1)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
