"""Check rules on a big upload: how long a clerk waits to hear that row 4,324 breaks a hard rule.

``python -m bench.checks [--rows 5000] [--repeat 7]``

One run, on the shipped configuration and a copy of the sample store:

1. a ``rows``-row Youth Home file (UTF-8, a title row, one row breaking 服务人次 >= 活动场次) through the
   whole dry run (``reform.ingest.validate`` with the store: read, check, the district's rules),
   as ratios to DuckDB's bare ``read_csv`` of the same file in the same process;
2. the same dry run with no rules configured (what the rules add);
3. a ``rows``-row staffing file checked against last period (``last(…)``: one query to the store);
4. the whole refusal as a user meets it: ``python -m reform validate FILE`` in a fresh process
   (start-up included), the figure the issue's "< 2 s" is about.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import duckdb

from bench.common import machine, median_time, timed

ROOT = Path(__file__).resolve().parent.parent


def venues_file(path: Path, rows: int, towns: list[str]) -> Path:
    lines = [
        f"青年之家{i},{towns[i % len(towns)]},专营店,2020-01-01,2025-Q1,10,{9 if i == rows - 679 else 30}"
        for i in range(rows)
    ]
    text = "2025年第一季度青年之家统计表\n阵地名称,镇街,类型,启用日期,统计期,活动场次,服务人次（人次）\n"
    path.write_bytes((text + "\n".join(lines) + "\n").encode("utf-8"))
    return path


def staffing_file(path: Path, rows: int, towns: list[str]) -> Path:
    """Monthly staffing rows (every township and post type, month after month) up to ``rows``."""
    posts = ["专职团干部", "青年助力官", "兼职团干部", "挂职团干部", "团组织书记", "高校学生"]
    months = [f"{2020 + m // 12}-{m % 12 + 1:02d}" for m in range(72)]
    keys = [(t, m, p) for m in months for t in towns for p in posts][:rows]
    lines = [f"{t},{m},{p},5,5" for t, m, p in keys]
    path.write_bytes(("镇街,统计期,岗位类型,核定数,在岗数\n" + "\n".join(lines) + "\n").encode("gbk"))
    return path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.checks")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)

    from reform import config, ingest, rules, sample
    from reform.store import Store

    work = Path(tempfile.mkdtemp(prefix="bench-checks-"))
    try:
        cfg = config.load().with_database(work / "store.duckdb")
        store = Store(cfg.database)
        sample.load(store, cfg)
        towns = list(cfg.township_names)
        venues = venues_file(work / "venues.csv", args.rows, towns)
        data = venues.read_bytes()

        def bare() -> None:
            con = duckdb.connect()
            con.execute(
                "CREATE TABLE t AS SELECT * FROM read_csv(?, skip = 1, header = true)",
                [str(venues)],
            )
            con.close()

        def ours() -> None:
            report = ingest.validate(data, venues.name, cfg, "venues", store=store)
            assert not report.ok and report.errors[0].row == args.rows - 679 + 3

        no_rules = replace(cfg, checks=())
        base = median_time(args.repeat, bare)
        checked = median_time(args.repeat, ours)
        plain = median_time(args.repeat, lambda: ingest.validate(data, venues.name, no_rules, "venues", store=store))

        last_rule = rules.build("last", "staffing", "soft", "在岗数 >= last(在岗数)", None, {}, ("x", "x"))
        staffing = staffing_file(work / "staffing.csv", args.rows, towns).read_bytes()
        with_last = replace(cfg, checks=(last_rule,))
        against_last = median_time(args.repeat, lambda: ingest.validate(staffing, "s.csv", with_last, store=store))
        staffing_plain = median_time(args.repeat, lambda: ingest.validate(staffing, "s.csv", no_rules, store=store))

        command = [sys.executable, "-m", "reform", "--db", str(cfg.database), "validate", str(venues), "--json"]
        whole = []
        for _ in range(3):
            whole.append(timed(lambda: subprocess.run(command, cwd=ROOT, capture_output=True, check=False)))
        answer = json.loads(subprocess.run(command, cwd=ROOT, capture_output=True, check=False).stdout)
        figures = {
            "machine": machine(),
            "rows": args.rows,
            "bare_read_csv_ms": round(base * 1000, 1),
            "dry_run_with_rules_ms": round(checked * 1000, 1),
            "ratio_with_rules": round(checked / base, 2),
            "dry_run_without_rules_ms": round(plain * 1000, 1),
            "rules_add_ms": round((checked - plain) * 1000, 1),
            "staffing_last_period_rule_ms": round(against_last * 1000, 1),
            "staffing_without_rules_ms": round(staffing_plain * 1000, 1),
            "cli_validate_whole_process_s": round(sorted(whole)[1], 2),
            "cli_says": answer["errors"][0],
        }
        print(json.dumps(figures, ensure_ascii=False))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
