"""The PostgreSQL store: ingest against PostgreSQL's own COPY, and the overview against the DuckDB file.

``python -m bench.postgres [--rows 1000000]`` (Debian's PostgreSQL, initdb into a temporary folder).

1. A ``rows``-row Youth Home CSV (bench.ingest's province file) uploaded as an app server takes it
   (in this process, its replica up to date: read, checked, committed), and ingested as a user runs it:
   ``python -m reform --db postgresql://… ingest FILE --dataset venues`` (a whole process, the
   replica made from the empty database included) into a deployed database (its schema made by an
   earlier start) and into a new one (the schema made by this process), against PostgreSQL's own
   ``COPY`` of the same file into a bare table of text columns (timed in this process), and against
   PostgreSQL's own binary ``COPY`` of the rows our upload stored into a deployed venues table
   (``our_rows_copy``: the part no client can make faster). ``--rounds``
   rounds (default 5) of each; every timed step starts from a quiet server (``quiet``: a
   CHECKPOINT and no autovacuum at work); each ratio is of the medians, and ``*_paired`` the
   median of each round's own ratio (``paired``). ``--against DIR`` runs the command of another
   checkout (an earlier commit) in every round as well, in turns with ours, into its own database.
2. The overview figures on the 1,200-township province store (``bench.common.province``): the
   DuckDB file, and the same rows loaded into PostgreSQL and read through a server's replica;
   medians of warm runs, and the time a replica takes to catch up with one new upload.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import DATA, machine, province
from bench.ingest import write_venues

ROOT = Path(__file__).resolve().parent.parent


def quiet(url: str, timeout_s: float = 60.0) -> None:
    """Wait until PostgreSQL has nothing of its own to do: a CHECKPOINT, then no autovacuum worker
    (a million new rows set off a vacuum and an analyze of their table). Both sides of a ratio
    start from this same quiet server, so neither pays for the other's background work."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        con.execute("CHECKPOINT")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            busy = con.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
            ).fetchall()[0][0]
            if not busy:
                break
            time.sleep(0.2)
        con.execute("CHECKPOINT")
    time.sleep(0.5)  # the checkpointer's and the WAL writer's last writes


def bare_copy(url: str, path: Path) -> float:
    import psycopg

    with psycopg.connect(url) as con:
        con.execute("DROP TABLE IF EXISTS bare")
        con.execute("CREATE TABLE bare (a text, b text, c text, d text, e text, f text, g text)")
        started = time.perf_counter()
        with path.open("rb") as rows, con.cursor().copy("COPY bare FROM STDIN (FORMAT csv, HEADER true)") as copy:
            while block := rows.read(1 << 20):
                copy.write(block)
        con.commit()
        return time.perf_counter() - started


def our_rows_copy(source: str, url: str) -> float:
    """PostgreSQL's own binary COPY of the rows an upload stored (read back from ``source``) into the
    venues table of a deployed database (``url``): what PostgreSQL alone spends on our rows, with
    their 13 columns and the table's two indexes, against the bare 7-column text table."""
    import psycopg

    with psycopg.connect(source) as con, con.cursor().copy("COPY venues TO STDOUT (FORMAT binary)") as copy:
        rows = b"".join(bytes(block) for block in copy)
    with psycopg.connect(url) as con:
        started = time.perf_counter()
        with con.cursor().copy("COPY venues FROM STDIN (FORMAT binary)") as copy:
            view = memoryview(rows)
            for start in range(0, len(view), 1 << 16):
                copy.write(view[start : start + (1 << 16)])
        con.commit()
        return time.perf_counter() - started


def server_upload(url: str, path: Path, cfg: object) -> float:
    """An upload as a running app server takes it (its replica up to date, its modules loaded): the
    file's bytes read, checked and committed, in this process, like the bare COPY beside it."""
    import gc

    from reform import ingest
    from reform.pgstore import PgStore

    store = PgStore(url)
    store.init()
    try:
        started = time.perf_counter()
        report = ingest.validate(path.read_bytes(), path.name, cfg, "venues", store=store)  # type: ignore[arg-type]
        result = store.commit(report, "bench")
        seconds = time.perf_counter() - started
        if result.rows_stored != report.rows_valid:
            raise SystemExit("the upload stored fewer rows than it read")
        return seconds
    finally:
        store.close()
        del store
        gc.collect()


def overview_ms(store: object, cfg: object, repeat: int = 7) -> float:
    from metrics import overview
    from metrics.base import Scope

    def once() -> None:
        with store.reader() as q:  # type: ignore[attr-defined]
            first, last = overview.data_years(q)
            overview.kpis(q, cfg, Scope(first, last))

    once()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        once()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def paired(ours: list[float], copies: list[float]) -> float:
    """The median of each round's own ratio: a round's bare COPY and ours run minutes apart at most,
    so a machine that slows down or speeds up over the run moves both sides of each ratio alike."""
    return round(statistics.median(o / c for o, c in zip(ours, copies, strict=True)), 2)


def command_ingest(tree: Path, config_path: Path, url: str, path: Path) -> float:
    """``python -m reform --db URL ingest FILE`` as a user runs it, with the code of ``tree``: seconds."""
    command = [sys.executable, "-m", "reform", "--config", str(config_path), "--db", url]
    started = time.perf_counter()
    done = subprocess.run([*command, "ingest", str(path), "--dataset", "venues"], cwd=tree, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"the ingest from {tree} failed")
    return seconds


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.postgres")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the bare COPY and each of ours")
    parser.add_argument(
        "--against", type=Path, help="another checkout: its command's ingest in every round too, in turns with ours"
    )
    args = parser.parse_args(argv)
    from deploy import localpg
    from reform import config
    from reform.pgstore import PgStore
    from reform.store import Store

    config_path, db_path = province(1200)
    cfg = config.load(config_path)
    path = DATA / f"venues-{args.rows}.csv"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        write_venues(path, args.rows, list(cfg.township_names))
    if args.against:  # its modules compiled as ours are by `make install` (else it compiles them every run)
        subprocess.run([sys.executable, "-m", "compileall", "-q", "reform", "metrics"], cwd=args.against, check=True)
    with localpg.running() as server:
        copies, served, ours, fresh, floors, against = [], [], [], [], [], []
        for n in range(args.rounds):  # each round: the bare COPY, then each of ours, from a quiet server
            quiet(server.url())
            copies.append(bare_copy(server.url(), path))
            quiet(server.url())
            served.append(server_upload(server.database(f"served_{n}"), path, cfg))
            floor_url = server.database(f"floor_{n}")
            floor_store = PgStore(floor_url)
            floor_store.init()
            floor_store.close()
            quiet(server.url())
            floors.append(our_rows_copy(server.url(f"served_{n}"), floor_url))
            runs = [(ROOT, True, ours), (ROOT, False, fresh)]
            if args.against:  # the same command from another checkout, into a deployed database too
                runs.insert(n % 2, (args.against, True, against))  # first in every other round
            for number, (tree, deployed, times) in enumerate(runs):
                url = server.database(f"ingest_{n}_{number}")
                if deployed:  # a deployed database: its schema made when the first server started
                    prepared = PgStore(url)
                    prepared.init()
                    prepared.close()
                quiet(server.url())
                times.append(command_ingest(tree, config_path, url, path))
        copy_s = statistics.median(copies)
        url = server.database("province")
        pg_store = PgStore(url)
        started = time.perf_counter()
        pg_store.load_from(Path(db_path))
        load_s = time.perf_counter() - started
        duck_ms = overview_ms(Store(db_path), cfg)
        pg_ms = overview_ms(pg_store, cfg)
        print(
            json.dumps(
                {
                    "machine": machine(),
                    "rows": args.rows,
                    "pg_copy_bare_s": round(copy_s, 2),
                    "pg_copy_bare_each_s": [round(t, 2) for t in copies],
                    "pg_copy_of_our_rows_s": round(statistics.median(floors), 2),
                    "ratio_pg_copy_of_our_rows": round(statistics.median(floors) / copy_s, 2),
                    "ours_ingest_each_s": [round(t, 2) for t in ours],
                    "ours_ingest_into_pg_whole_process_s": round(statistics.median(ours), 2),
                    "ratio_ingest": round(statistics.median(ours) / copy_s, 2),
                    "server_upload_in_process_s": round(statistics.median(served), 2),
                    "ratio_server_upload": round(statistics.median(served) / copy_s, 2),
                    "ratio_ingest_paired": paired(ours, copies),
                    "ratio_server_upload_paired": paired(served, copies),
                    "ours_into_a_new_database_s": round(statistics.median(fresh), 2),
                    **(
                        {
                            "against": str(args.against),
                            "against_ingest_each_s": [round(t, 2) for t in against],
                            "ratio_ingest_against": round(statistics.median(against) / copy_s, 2),
                            "ratio_ingest_against_paired": paired(against, copies),
                        }
                        if args.against
                        else {}
                    ),
                    "ratio_ingest_new_database": round(statistics.median(fresh) / copy_s, 2),
                    "province_1200_load_into_pg_s": round(load_s, 1),
                    "overview_duckdb_ms": round(duck_ms, 1),
                    "overview_pg_replica_ms": round(pg_ms, 1),
                    "ratio_overview": round(pg_ms / duck_ms, 2),
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
