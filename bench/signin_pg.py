"""Failed sign-ins through one PostgreSQL server against another server's pages (issue 26, finding 7).

``python -m bench.signin_pg [--signins 60] [--rounds 2] [--against DIR]`` (Debian's PostgreSQL, initdb
into a temporary folder): after a name-guessing run has left 60,000 names in the sign-in guard, server
B draws the overview's figures (its page run: catch up with PostgreSQL, decide the audience, the KPIs)
alone, and then each time after a failed sign-in through server A. The figure is the ratio of B's
median page time with sign-ins to B's median page time without them, in the same process: 1.0 means a
failed sign-in costs other servers nothing. ``--against DIR`` measures another checkout the same way,
in turns with this one, each round into a new database.
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
from metrics import overview
from reform import audience, auth, config, sample
from reform.pgstore import PgStore

url, signins = sys.argv[1], int(sys.argv[2])
cfg = config.load()
a = PgStore(url)
a.init()
sample.load(a, cfg)
with psycopg.connect(url) as con:  # what a name-guessing run leaves behind
    con.execute("INSERT INTO login_guard (key, failures, last_at) SELECT 'name:guess-' || g, 1, now() "
                "FROM generate_series(1, 60000) g ON CONFLICT DO NOTHING")
    con.execute("UPDATE reform_cluster SET version = version + 1")
b = object.__new__(PgStore)  # a second server: its own replica of the same database
PgStore.__init__(b, url + "?application_name=second")
b.init()

def page():
    started = time.perf_counter()
    seen = audience.decide(b, cfg, None)
    with seen.view.reading(b) as q:
        overview.kpis(q, cfg, seen.scope)
    return time.perf_counter() - started

page()
quiet, busy = [], []
for n in range(signins):
    quiet.append(page())
    try:
        auth.login(a, f"bad-{n}", "wrong")
    except auth.AuthError:
        pass
    busy.append(page())
print(json.dumps({"quiet_ms": statistics.median(quiet) * 1000, "busy_ms": statistics.median(busy) * 1000}))
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.signin_pg")
    parser.add_argument("--signins", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--against", type=Path, help="another checkout, measured in turns with this one")
    args = parser.parse_args(argv)
    from bench.common import machine, postgres_rounds

    trees = {"this": ROOT} | ({"against": args.against} if args.against else {})
    found = postgres_rounds(trees, args.rounds, CHILD, str(args.signins))
    result: dict[str, object] = {"machine": machine(), "signins": args.signins, "rounds": args.rounds}
    for name, runs in found.items():
        result[f"{name}_quiet_ms"] = [round(r["quiet_ms"], 1) for r in runs]
        result[f"{name}_busy_ms"] = [round(r["busy_ms"], 1) for r in runs]
        result[f"{name}_ratio"] = round(statistics.median(r["busy_ms"] / r["quiet_ms"] for r in runs), 2)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
