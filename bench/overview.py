"""(b): every overview figure on the province store vs the same SQL statements run bare.

Run: ``python -m bench.overview [TOWNSHIPS ...]`` (default 12 120 1200: about 10k, 100k and
1M stored rows). The overview page's figures (data years, the scorecard with each KPI's trend,
the league table) are computed once on a store reader, which lists every statement that
reached DuckDB with its parameters; then the whole computation (connection, SQL, DataFrames,
the metrics' own arithmetic) and a bare replay of those statements (``fetchall`` on one fresh
DuckDB connection) are timed in turns.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

import duckdb

from bench.common import machine, province, timed
from metrics import overview
from metrics.base import Scope
from reform import config
from reform.config import Config
from reform.store import Store

REPEAT = 9


def figures(q: Any, cfg: Config) -> None:
    """What the overview page computes: data years, then the scorecard and league table over them."""
    first, last = overview.data_years(q)
    scope = Scope(first, last)
    overview.kpis(q, cfg, scope)
    overview.league_table(q, cfg, scope)


def replay(database: Path, log: list[tuple[str, list[Any]]]) -> None:
    con = duckdb.connect(str(database))
    try:
        for sql, params in log:
            con.execute(sql, params).fetchall()
    finally:
        con.close()


def measure(townships: int) -> dict[str, float]:
    config_path, database = province(townships)
    cfg = config.load(config_path)
    store = Store(database)
    with store.reader() as q:
        figures(q, cfg)
        log = list(q.executed)
    rows = int(
        store.query(
            "SELECT (SELECT count(*) FROM staffing) + (SELECT count(*) FROM venues) + (SELECT count(*) FROM alumni)"
            " + (SELECT count(*) FROM funding) + (SELECT count(*) FROM inspections) + (SELECT count(*) FROM members)"
            " AS n"
        ).at[0, "n"]
    )

    def ours() -> None:
        with store.reader() as q:
            figures(q, cfg)

    ours()  # warm the operating system's file cache for both sides
    replay(database, log)
    ours_times, bare_times = [], []
    for _ in range(REPEAT):  # in turns, so a slow moment of the machine falls on both sides
        ours_times.append(timed(ours))
        bare_times.append(timed(lambda: replay(database, log)))
    ours_s, bare_s = statistics.median(ours_times), statistics.median(bare_times)
    statements = len(log)
    return {"rows": rows, "statements": statements, "ours": ours_s, "bare": bare_s}


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [12, 120, 1200]
    print(f"# overview figures: {machine()}")
    print("townships\tstored_rows\tstatements\tbare_sql_s\tours_s\tratio")
    for townships in sizes:
        m = measure(townships)
        print(
            f"{townships}\t{m['rows']}\t{m['statements']}\t{m['bare']:.3f}\t{m['ours']:.3f}\t"
            f"{m['ours'] / m['bare']:.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
