"""The PostgreSQL store: one shared database for several app servers, each reading a local replica.

Chosen by ``storage.url: postgresql://…`` or ``REFORM_DB=postgresql://…`` (``Store(url)`` returns
one). PostgreSQL holds the data; each process keeps a DuckDB **replica** file of it and runs every
query there, so the metrics, history, review and audit SQL is the same on both backends and the
figures are identical by construction (``tests/test_backends.py`` compares them).

- **Reading**: before a query the replica catches up when PostgreSQL's version counter
  (``reform_cluster``) has moved: new batches, audit lines and review steps by id, rows retired
  since (``replaced_by`` of a newer batch), and the small mutable tables whole.
- **Writing**: one writer in the cluster at a time, by a PostgreSQL advisory lock held for the
  write; under it the replica catches up, the unchanged store code writes into it, and what the
  write added or changed goes to PostgreSQL in **one transaction** with the version bump. A
  server killed half-way leaves PostgreSQL as it was (the transaction never commits, the lock
  goes with the connection); a failed push drops the replica, which is rebuilt from PostgreSQL.
- **A one-shot process** (``python -m reform …``) keeps its replica in memory
  (``PgStore.replica_in_memory``): nothing else opens it, it is gone when the command ends, and a
  million-row insert into it costs 0.15 s of CPU instead of the 0.6 s a file's compressed blocks do.
- **Schema**: PostgreSQL's tables are derived from the DuckDB schema (``reform.store.schema_sql``),
  so a dataset declared by an extension gets its table on both; ``schema_migrations`` records
  each schema version applied, forward only.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import itertools
import logging
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import duckdb

from reform import auditchain, i18n
from reform.datasets import DATASETS
from reform.store import SCHEMA_VERSION, Store, declared_tables, schema_sql

LOCK_KEY = 7_360_001  # pg_advisory_lock key of the cluster's one writer
IDLE_CONNECTIONS = 4  # version-check connections kept open per store
ID_TABLES = {"batches": "batch_id", "audit": "id", "audit_chain": "id", "reviews": "id"}  # rows only added, ids rise
BATCH_TABLES = {"explanations": "batch_id"}  # rows only added, with their (rising) batch
WHOLE_TABLES = {  # small tables changed in place, by their key
    "users": "name",
    "notifications": "key",
    "meta": "key",
    "password_history": "password_hash",
    "second_factor": "name",
}
PRIMARY_TABLES = {"login_guard"}  # kept in PostgreSQL alone, asked there (a failed sign-in moves no replica)
SEQUENCES = {"audit": "audit_seq", "reviews": "review_seq"}  # the replica's id sequences
PG_TYPES = {"VARCHAR": "text", "BIGINT": "bigint", "INTEGER": "integer", "DATE": "date", "BOOLEAN": "boolean"}
PG_TYPES |= {"TIMESTAMP": "timestamp", "DOUBLE": "double precision", "DECIMAL(18,2)": "numeric(18,2)"}
NULL = "\\N"
MAX_LINE = 1 << 27  # longest CSV line a pull reads (128 MB: a long text must not stop a replica)
COPY_BATCH_ROWS = 1 << 15  # rows per Arrow batch sent to PostgreSQL
COPY_PIECE_BYTES = 1 << 16  # bytes handed to libpq at a time
log = logging.getLogger(__name__)
LAYOUT = 3  # PostgreSQL-only layout (indexes, reform_cluster.whole); reform_cluster.layout records the one applied


def _safe(url: str) -> str:
    """A URL as shown in messages: without a password."""
    import re

    return re.sub(r"://([^:@/]+):[^@/]*@", r"://\g<1>:***@", url)


def categories() -> dict[str, str]:
    """How each declared table travels: id, batch, rows (dataset tables), whole, or not at all (primary)."""
    found = {t: "id" for t in ID_TABLES} | {t: "batch" for t in BATCH_TABLES} | {t: "whole" for t in WHOLE_TABLES}
    found |= {t: "primary" for t in PRIMARY_TABLES}
    found |= {name: "rows" for name in DATASETS}
    missing = declared_tables() - set(found)
    if missing:  # a new table must say how it is kept in step (tests/test_backends.py checks every one)
        raise RuntimeError(f"tables without a replication rule: {sorted(missing)}")
    return found


class PgStore(Store):
    """PostgreSQL behind the Store interface (see the module's docstring)."""

    replica_in_memory: ClassVar[bool] = False  # set by the command line's bootstrap (reform/__main__.py)
    _instances: ClassVar[dict[str, PgStore]] = {}
    _instances_lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def shared(cls, url: str) -> PgStore:
        """This process's store for ``url`` (made once: every page run asks for it)."""
        with cls._instances_lock:
            found = cls._instances.get(url)
            if found is None:
                found = cls._instances[url] = object.__new__(cls)
            return found

    def __init__(self, url: str | Path) -> None:
        if getattr(self, "url", None) == str(url):  # Store(url) again: the same object, already set up
            return
        self.url = str(url)
        digest = hashlib.sha256(self.url.encode()).hexdigest()[:12]
        name = f"reform-replica-{digest}-{os.getpid()}-{id(self):x}"
        if self.replica_in_memory:  # DuckDB's named in-memory database, open while the keeper holds it
            self.path = Path(f":memory:{name}")
        else:
            self.path = Path(os.environ.get("REFORM_REPLICA_DIR") or tempfile.gettempdir()) / f"{name}.duckdb"
        self._version = -1  # PostgreSQL's version the replica holds (-1: no replica yet)
        self._whole = -1  # PostgreSQL's count of writes to the tables kept whole, as the replica holds them
        self._sync_lock = threading.RLock()
        self._write_lock = threading.Lock()
        self._idle: list[Any] = []  # open connections for the version check
        self._idle_lock = threading.Lock()
        self._sending: _Sending | None = None  # the write under way (under _write_lock)
        self.refusals = Refusals()  # PostgreSQL's rows this replica could not take
        if not self.replica_in_memory:  # a file outlives the process; memory goes with it, at no cost
            atexit.register(self.drop_replica)

    # ------------------------------------------------------------------ PostgreSQL
    def pg(self, autocommit: bool = False) -> Any:
        import psycopg

        return psycopg.connect(self.url, autocommit=autocommit, connect_timeout=10)

    def pg_version(self) -> int:
        """PostgreSQL's version counter, asked on every page run (~0.3 ms on an idle connection kept
        for it: a few are kept, one per thread asking at the same moment)."""
        with self._idle_lock:
            con = self._idle.pop() if self._idle else None
        try:
            if con is None or con.closed:
                con = self.pg(autocommit=True)
            rows = con.execute("SELECT version FROM reform_cluster").fetchall()
        except Exception:  # a dropped connection (a restarted database): one new try on a new one
            con = self.pg(autocommit=True)
            rows = con.execute("SELECT version FROM reform_cluster").fetchall()
        with self._idle_lock:
            if len(self._idle) < IDLE_CONNECTIONS:
                self._idle.append(con)
                con = None
        if con is not None:
            con.close()
        return int(rows[0][0])

    def close(self) -> None:
        """Close this store's connections and drop its replica (a test's database is done with)."""
        with self._idle_lock:
            for con in self._idle:
                with contextlib.suppress(Exception):
                    con.close()
            self._idle.clear()
        self.drop_replica()
        with self._instances_lock:
            if self._instances.get(self.url) is self:
                del self._instances[self.url]

    def _current_pg_schema(self) -> bool:
        """This schema version applied and every declared table there (a start then skips the DDL)."""
        with self.pg(autocommit=True) as pg:
            tables = {
                r[0]
                for r in pg.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                ).fetchall()
            }
            if "schema_migrations" not in tables or not declared_tables() <= tables:
                return False
            found = pg.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0]
            layout = pg.execute(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = 'reform_cluster' AND column_name = 'layout'"
            ).fetchall()[0][0]
            if not layout:
                return False
            layout = pg.execute("SELECT coalesce(max(layout), 0) FROM reform_cluster").fetchall()[0][0]
            return int(found) >= SCHEMA_VERSION and int(layout) >= LAYOUT

    def _ensure_pg_schema(self) -> None:
        """PostgreSQL's tables from the DuckDB schema; each schema version recorded once."""
        if self._current_pg_schema():
            return
        with self.pg() as pg:
            pg.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            pg.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamp)"
            )
            pg.execute(
                "CREATE TABLE IF NOT EXISTS reform_cluster (one boolean PRIMARY KEY DEFAULT true, version bigint)"
            )
            pg.execute("ALTER TABLE reform_cluster ADD COLUMN IF NOT EXISTS layout integer DEFAULT 0")
            # moved with a write that changed a small table kept whole (users, notifications, meta): a sync
            # copies those again only then, not after every audit line (a failed sign-in's)
            pg.execute("ALTER TABLE reform_cluster ADD COLUMN IF NOT EXISTS whole bigint DEFAULT 0")
            pg.execute("INSERT INTO reform_cluster VALUES (true, 0, 0, 0) ON CONFLICT DO NOTHING")
            for statement in pg_schema():
                pg.execute(statement)
            pg.execute("UPDATE reform_cluster SET layout = greatest(coalesce(layout, 0), %s)", [LAYOUT])
            pg.execute("INSERT INTO schema_migrations VALUES (%s, now()) ON CONFLICT DO NOTHING", [SCHEMA_VERSION])
            pg.execute(
                "INSERT INTO meta VALUES ('schema_version', %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [str(SCHEMA_VERSION)],
            )

    # ------------------------------------------------------------------ the replica
    def drop_replica(self) -> None:
        keeper = getattr(self, "_keeper", None)
        if keeper is not None:
            keeper.close()
            self._keeper = None
        for path in () if self.replica_in_memory else (self.path, Path(f"{self.path}.wal")):
            with contextlib.suppress(OSError):
                path.unlink()
        self._version = -1

    def init(self) -> None:
        """PostgreSQL's schema (once per process) and a replica that has caught up."""
        if self._version < 0:
            with self._sync_lock:
                if self._version < 0:
                    self._ensure_pg_schema()
                    self._build_replica()
        self.sync()

    def _build_replica(self) -> None:
        self.drop_replica()
        self.refusals = Refusals()  # found again by the pull that builds it
        self._whole = -1
        if not self.replica_in_memory:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection held open keeps DuckDB's instance of the replica loaded: every other
        # connection of this process then opens in microseconds instead of reloading the file
        # (and an in-memory replica lives exactly as long as this connection).
        self._keeper = duckdb.connect(str(self.path))
        with Store.connect(self) as con:
            con.execute("BEGIN TRANSACTION")
            for statement in schema_sql():
                con.execute(statement)
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
            con.execute("COMMIT")
        self._version = 0
        self.sync(force=True)

    def sync(self, force: bool = False) -> None:
        """Bring the replica up to PostgreSQL's version (nothing to do when it has not moved)."""
        if self._version < 0:
            self.init()
            return
        version = self.pg_version()
        if version == self._version and not force:
            return
        with self._sync_lock:
            if version == self._version and not force:
                return
            with self.pg() as pg, Store.connect(self) as con:
                pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")  # one snapshot for all tables
                version, whole = pg.execute("SELECT version, whole FROM reform_cluster").fetchall()[0]
                _pull(pg, con, self.refusals, whole=force or int(whole) != self._whole)
                if self.refusals:
                    self.refusals.recheck(pg)
                self._fold_log(con)  # the replica's log folded in: readers open a compact file
            self._version, self._whole = int(version), int(whole)

    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:  # type: ignore[override]
        self.sync()
        return Store.connect(self)

    @contextlib.contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The cluster's one writer: the advisory lock, a replica that has caught up, and the write's
        changes pushed to PostgreSQL in one transaction (or, failing that, a replica rebuilt). The
        lock's connection carries the push, and a new batch's rows already go out while the replica
        stores them (``_inserting``)."""
        if self._version < 0:
            self.init()
        with self._write_lock, self.pg() as pg:
            pg.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
            pg.commit()
            self._sending = _Sending(pg)
            try:
                self.sync()
                with Store.connect(self) as con, auditchain.sealing(self.secret):
                    marks = _marks(con)
                    failed = True
                    try:
                        yield con
                        failed = False
                    finally:
                        self._push(con, marks, failed)
            finally:
                self._sending.stop()
                self._sending = None
                pg.rollback()  # whatever a failed push left open
                pg.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
                pg.commit()

    def _fold_log(self, con: duckdb.DuckDBPyConnection) -> None:
        """A replica file's log folded in; an in-memory replica has no file to fold it into (a
        CHECKPOINT there would only compress a million new rows again: 0.5 s of CPU beside the COPY)."""
        if not self.replica_in_memory:
            super()._fold_log(con)

    def _inserting(
        self, con: duckdb.DuckDBPyConnection, table: str, batch_id: int, rows: str, incoming: object
    ) -> None:
        """The new batch's rows start for PostgreSQL now, in the push's transaction, while the replica
        inserts them (a million rows: PostgreSQL's COPY and DuckDB's insert overlap)."""
        if self._sending is not None:
            self._sending.start(con, table, batch_id, rows, incoming)

    def _push(self, con: duckdb.DuckDBPyConnection, marks: dict[str, Any], failed: bool) -> None:
        with self._sync_lock:
            try:
                pg = self._sending.pg
                sent = self._sending.settle(discard=failed)  # a failed write: its rows go with the replica's
                changed, whole = _push(con, pg, marks, sent)
                if changed:
                    rows = pg.execute(
                        "UPDATE reform_cluster SET version = version + 1, whole = whole + %s RETURNING version, whole",
                        [int(whole)],
                    ).fetchall()
                    pg.commit()
                    self._version, self._whole = int(rows[0][0]), int(rows[0][1])
                _drop_snapshots(con)
            except BaseException:
                self._version = -1  # the replica is ahead of PostgreSQL: the next use rebuilds it
                raise

    def load_from(self, source: Path) -> None:
        """Copy every table of a DuckDB store (a restored backup) into this empty PostgreSQL database."""
        self.init()
        with self._write_lock, self.pg() as pg, duckdb.connect(str(source), read_only=True) as con:
            pg.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            if pg.execute("SELECT count(*) FROM batches").fetchall()[0][0]:
                raise ValueError(f"{_safe(self.url)} already holds data; restore into an empty database")
            present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            for table in sorted(declared_tables() & present):  # a table newer than the source stays empty
                pg.execute(f"DELETE FROM {table}")
                _to_pg(con, pg, table, f"SELECT * FROM {table}")
            pg.execute("UPDATE reform_cluster SET version = version + 1, whole = whole + 1")
            pg.commit()
        with self._sync_lock:
            self._build_replica()

    @contextlib.contextmanager
    def guard(self, write: bool = True) -> Iterator[PgGuard]:
        """Failed sign-ins counted in PostgreSQL itself, in one transaction with row locks: the same
        limits across every server, and no server's replica moves for a failed sign-in."""
        if self._version < 0:
            self.init()
        with self.pg() as pg:
            yield PgGuard(pg)

    def forget_archived_audit(self, last_id: int, mac: str) -> None:
        """As for a file (the anchor through the replica and its push), and the lines removed in
        PostgreSQL itself: a write's push carries new rows of the audit, not removed ones. Another
        server's replica may hold the archived lines until it is rebuilt; it reads past the anchor."""
        super().forget_archived_audit(last_id, mac)
        with self.pg() as pg:
            pg.execute("DELETE FROM audit_chain WHERE id <= %s", [int(last_id)])
            pg.execute("DELETE FROM audit WHERE id <= %s", [int(last_id)])
            pg.commit()

    def refused_rows(self) -> list[Refused]:
        """PostgreSQL's rows this server's replica left out (``Refusals``)."""
        return self.refusals.all()

    # the data version and the rest read the replica through connect()/remembered()
    def exists(self) -> bool:
        return True  # the database is named by its URL; init() creates what is missing

    def remembered(self, name: str, compute: Any) -> Any:
        """As for a file, keyed on the replica, which first catches up (another server's change
        then changes the replica's file, and the remembered answer is asked again)."""
        self.sync()
        return super().remembered(name, compute)

    def data_version(self) -> int:
        self.sync()
        return super().data_version()

    def review_version(self) -> int:
        self.sync()
        return super().review_version()


# ---------------------------------------------------------------------- schema
def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    """A table's (column, type) in order (from the relation: 0.3 ms, where information_schema takes
    3 ms, and a push asks for every table)."""
    relation = con.table(table)
    return [(str(n), str(t)) for n, t in zip(relation.columns, relation.types, strict=True)]


def pg_schema() -> list[str]:
    """CREATE statements for PostgreSQL, read off the DuckDB schema (same tables, columns, keys)."""
    con = duckdb.connect()
    try:
        for statement in schema_sql():
            con.execute(statement)
        keys = {
            str(t): [str(c) for c in cols]
            for t, cols in con.execute(
                "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
                "WHERE constraint_type = 'PRIMARY KEY'"
            ).fetchall()
        }
        statements = []
        for table in sorted(declared_tables()):
            columns = ", ".join(f"{n} {PG_TYPES.get(t, 'text')}" for n, t in _columns(con, table))
            key = f", PRIMARY KEY ({', '.join(keys[table])})" if table in keys else ""
            statements.append(f"CREATE TABLE IF NOT EXISTS {table} ({columns}{key})")
            for name, kind in _columns(con, table):  # a column added by a later schema version
                statements.append(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {PG_TYPES.get(kind, 'text')}")
            if table in DATASETS:
                # Rows arrive in batch order, so a block-range index finds a batch's rows at almost
                # no cost to a million-row COPY (a B-tree on batch_id cost ~1 s of it).
                statements.append(f"DROP INDEX IF EXISTS {table}_batch")
                statements.append(f"CREATE INDEX IF NOT EXISTS {table}_batch_range ON {table} USING brin (batch_id)")
                # Only retired rows are looked up by replaced_by: a partial index leaves a new
                # upload's rows (all NULL there) out of it, so a million-row COPY does not feed it.
                statements.append(f"DROP INDEX IF EXISTS {table}_replaced")
                statements.append(
                    f"CREATE INDEX IF NOT EXISTS {table}_retired ON {table} (replaced_by) WHERE replaced_by IS NOT NULL"
                )
        return statements
    finally:
        con.close()


class PgGuard:
    """``reform.store.SigninGuard`` in PostgreSQL: a key's row is locked (``FOR UPDATE``) when read, so
    parallel attempts at one name on any server are counted one after another."""

    def __init__(self, pg: Any) -> None:
        self.pg = pg

    def get(self, key: str) -> tuple[int, Any]:
        self.pg.execute("INSERT INTO login_guard (key, failures) VALUES (%s, 0) ON CONFLICT (key) DO NOTHING", [key])
        rows = self.pg.execute("SELECT failures, locked_until FROM login_guard WHERE key = %s FOR UPDATE", [key])
        found = rows.fetchall()
        return int(found[0][0] or 0), found[0][1]

    def put(self, key: str, failures: int, locked_until: Any, now: Any) -> None:
        self.pg.execute(
            "INSERT INTO login_guard (key, failures, locked_until, last_at) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET failures = EXCLUDED.failures, locked_until = EXCLUDED.locked_until, "
            "last_at = EXCLUDED.last_at",
            [key, failures, locked_until, now],
        )

    def clear(self, key: str, at_most: int | None = None) -> None:
        most = 2**31 - 1 if at_most is None else at_most
        self.pg.execute("DELETE FROM login_guard WHERE key = %s AND failures <= %s", [key, most])

    def forget_before(self, cutoff: Any, minutes: int) -> None:
        self.pg.execute(
            "DELETE FROM login_guard WHERE coalesce(locked_until, last_at + make_interval(mins => %s)) < %s",
            [minutes, cutoff],
        )

    def rows(self, prefix: str) -> dict[str, tuple[int, Any]]:
        found = self.pg.execute(
            "SELECT key, failures, locked_until FROM login_guard WHERE starts_with(key, %s)", [prefix]
        ).fetchall()
        return {str(k): (int(f or 0), u) for k, f, u in found}


# ---------------------------------------------------------------------- rows a replica cannot take
@dataclass(frozen=True)
class Refused:
    """A row of PostgreSQL this server's replica left out, and why (``problem``: ``column: null``,
    ``column: type``, ``key: held`` or ``key: twice``, joined by ``; ``)."""

    table: str
    row: str  # its key as people find it (``_row_label``)
    problem: str
    pg_row: str  # PostgreSQL's address of the row (ctid), for the repair command


class Refusals:
    """The rows this server's replica could not take, kept while PostgreSQL still holds them.

    One such row (written by an older version, or by hand) must not stop every page of every
    other server: the pull leaves it out, the server names it (log, admins' page) and
    ``python -m reform repair`` moves it aside in PostgreSQL."""

    def __init__(self, quiet: bool = False) -> None:
        self._rows: dict[tuple[str, str], Refused] = {}
        self._lock = threading.Lock()
        self._quiet = quiet  # the repair command lists them itself

    def keep(self, table: str, where: str, found: list[tuple[str, str, str]]) -> None:
        """What a pull of ``table`` (``where``) refused; a whole table's pull replaces what it refused before."""
        with self._lock:
            if where == "true":
                for known in [k for k in self._rows if k[0] == table]:
                    del self._rows[known]
            for pg_row, label, problem in found:
                if (table, pg_row) not in self._rows and not self._quiet:
                    log.error(describe(Refused(table, label, problem, pg_row), i18n.DEFAULT))
                self._rows[(table, pg_row)] = Refused(table, label, problem, pg_row)

    def recheck(self, pg: Any) -> None:
        """Forget the rows PostgreSQL no longer holds (moved aside by the repair command)."""
        with self._lock:
            tables = sorted({t for t, _ in self._rows})
        for table in tables:
            with self._lock:
                asked = [r for t, r in self._rows if t == table]
            found = pg.execute(f"SELECT ctid::text FROM {table} WHERE ctid = ANY(%s::tid[])", [asked])
            held = {str(r[0]) for r in found}
            with self._lock:
                for pg_row in set(asked) - held:
                    self._rows.pop((table, pg_row), None)

    def all(self) -> list[Refused]:
        with self._lock:
            return sorted(self._rows.values(), key=lambda r: (r.table, r.pg_row))

    def __bool__(self) -> bool:
        return bool(self._rows)


def describe(refused: Refused, lang: str) -> str:
    """One line saying which table and row a server left out, and the command that repairs it."""
    reasons = []
    for part in refused.problem.split("; "):
        column, _, what = part.partition(": ")
        reasons.append(i18n.t(f"pg.refused_{what}", lang, column=column))
    return i18n.t("pg.refused", lang, table=refused.table, row=refused.row, reason="；".join(reasons))


QUARANTINE = """CREATE TABLE IF NOT EXISTS reform_quarantine (moved_at timestamp NOT NULL, by_user text,
    table_name text NOT NULL, row_label text, problem text, row_data jsonb)"""


def repair(url: str, by: str | None, move: bool) -> list[Refused]:
    """The rows of PostgreSQL a replica cannot take, found by building one from scratch while holding
    the writers' lock; with ``move``, each set aside whole into ``reform_quarantine`` (as JSON, never
    dropped) and the version moved on, so every server forgets it at its next sync."""
    import psycopg

    refused = Refusals(quiet=True)
    with psycopg.connect(url, connect_timeout=10) as pg:
        pg.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        with duckdb.connect() as scratch:
            for statement in schema_sql():
                scratch.execute(statement)
            _pull(pg, scratch, refused)
        found = refused.all()
        if move and found:
            pg.execute(QUARANTINE)
            for row in found:
                pg.execute(
                    f"INSERT INTO reform_quarantine SELECT now() AT TIME ZONE 'UTC', %s, %s, %s, %s, to_jsonb(t) "
                    f"FROM {row.table} t WHERE ctid = %s::tid",
                    [by, row.table, row.row, row.problem, row.pg_row],
                )
                pg.execute(f"DELETE FROM {row.table} WHERE ctid = %s::tid", [row.pg_row])
            pg.execute("UPDATE reform_cluster SET version = version + 1, whole = whole + 1")
        pg.commit()
    return found


# ---------------------------------------------------------------------- moving rows
def _copy_out(pg: Any, select: str, table: str, where: str, path: Path) -> bool:
    """PostgreSQL's rows as CSV into ``path``; whether there were any.

    A NULL is written ``\\N`` unquoted, and a text that reads ``\\N`` is quoted by PostgreSQL
    (``"\\N"``): the replica reads with quoted nulls off, so a clerk's ``\\N`` stays a text."""
    with (
        path.open("wb") as out,
        pg.cursor().copy(
            f"COPY (SELECT {select} FROM {table} WHERE {where}) TO STDOUT (FORMAT csv, NULL '{NULL}')"
        ) as copy,
    ):
        for block in copy:
            out.write(block)
    return bool(path.stat().st_size)


def _read_csv(types: dict[str, str]) -> str:
    """DuckDB's reading of ``_copy_out``'s file with ``types`` (parameters: the path, the types, NULL)."""
    return (
        "read_csv(?, columns = ?, header = false, nullstr = ?, quote = '\"', escape = '\"', auto_detect = false, "
        f"allow_quoted_nulls = false, max_line_size = {MAX_LINE})"
    )


def _to_replica(
    pg: Any,
    con: duckdb.DuckDBPyConnection,
    table: str,
    where: str,
    target: str | None = None,
    refused: Refusals | None = None,
) -> int:
    """Rows of a PostgreSQL table (``where``) into the replica's ``target`` (default: the same table).

    With ``refused``, row by row as far as the replica's rules go: a row it cannot take (a NULL
    where the replica requires a value, a value its type cannot hold, a key it holds already) is
    left out and named there, so one bad row cannot stop a server (``Refusals``)."""
    columns = _columns(con, table)
    with tempfile.TemporaryDirectory(prefix="reform-pull-") as tmp:
        path = Path(tmp) / "rows.csv"
        if refused is not None:
            return _to_replica_checked(pg, con, table, where, target, refused, path)
        select = ", ".join(f"{n}::int" if t == "BOOLEAN" else n for n, t in columns)
        if not _copy_out(pg, select, table, where, path):
            return 0
        types = {n: t for n, t in columns}
        return int(
            con.execute(
                f"INSERT INTO {target or table} ({', '.join(types)}) SELECT * FROM {_read_csv(types)}",
                [str(path), types, NULL],
            ).fetchall()[0][0]
        )


def _to_replica_checked(
    pg: Any,
    con: duckdb.DuckDBPyConnection,
    table: str,
    where: str,
    target: str | None,
    refused: Refusals,
    path: Path,
) -> int:
    """``_to_replica`` for a pull the quick way could not take: every value read as text first (with
    PostgreSQL's row address), each row checked against the replica's rules, the good ones cast in."""
    columns = _columns(con, table)
    select = ", ".join(f"{n}::text" for n, _ in columns)
    if not _copy_out(pg, f"ctid::text AS pg_row, {select}", table, where, path):
        refused.keep(table, where, [])
        return 0
    texts = {"pg_row": "VARCHAR"} | {n: "VARCHAR" for n, _ in columns}
    con.execute(f"CREATE OR REPLACE TEMP TABLE pulled AS SELECT * FROM {_read_csv(texts)}", [str(path), texts, NULL])
    problems = []
    required = _required(con, table)
    for name, kind in columns:
        problems.append(f"CASE WHEN {name} IS NOT NULL AND TRY_CAST({name} AS {kind}) IS NULL THEN '{name}: type' END")
        if name in required:
            problems.append(f"CASE WHEN {name} IS NULL THEN '{name}: null' END")
    key = _primary_key(con, table)
    if key and target in (None, table):
        match = " AND ".join(f"t.{c} = TRY_CAST(p.{c} AS {dict(columns)[c]})" for c in key)
        problems.append(f"CASE WHEN EXISTS (SELECT 1 FROM {table} t WHERE {match}) THEN 'key: held' END")
        problems.append(
            f"CASE WHEN row_number() OVER (PARTITION BY {', '.join(key)} ORDER BY pg_row) > 1 THEN 'key: twice' END"
        )
    rows = con.execute(
        f"SELECT pg_row, {', '.join(n for n, _ in columns)}, concat_ws('; ', {', '.join(problems)}) AS problem "
        "FROM temp.pulled p"
    ).fetchall()
    bad = [(r[0], dict(zip([n for n, _ in columns], r[1:-1], strict=True)), r[-1]) for r in rows if r[-1]]
    refused.keep(table, where, [(pg_row, _row_label(con, table, values), reason) for pg_row, values, reason in bad])
    skip = [r[0] for r in bad]
    casts = ", ".join(f"CAST({n} AS {t})" for n, t in columns)
    count = con.execute(
        f"INSERT INTO {target or table} ({', '.join(n for n, _ in columns)}) SELECT {casts} FROM temp.pulled "
        "WHERE NOT list_contains(?, pg_row)",
        [skip],
    ).fetchall()[0][0]
    con.execute("DROP TABLE temp.pulled")
    return int(count)


def _required(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """The columns of a replica table that must hold a value."""
    return {
        str(r[0])
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND NOT is_nullable AND NOT internal",
            [table],
        ).fetchall()
    }


def _primary_key(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    found = con.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() "
        "WHERE table_name = ? AND constraint_type = 'PRIMARY KEY'",
        [table],
    ).fetchall()
    return [str(c) for c in found[0][0]] if found else []


def _row_label(con: duckdb.DuckDBPyConnection, table: str, values: dict[str, Any]) -> str:
    """A refused row as people find it: its key (or its batch and source row), each value shortened."""
    names = _primary_key(con, table) or [c for c in ("batch_id", "source_row", "rule") if c in values]
    names = names or list(values)[:3]
    shown = []
    for name in names:
        text = "NULL" if values.get(name) is None else str(values[name])
        shown.append(f"{name}={text if len(text) <= 40 else text[:40] + '…'}")
    return ", ".join(shown)


def _pg_select(columns: list[tuple[str, str]]) -> str:
    """The select list sending ``columns`` as PostgreSQL stores them (a type it keeps as text, as text)."""
    return ", ".join(f"CAST({n} AS {t if t in PG_TYPES else 'VARCHAR'}) AS {n}" for n, t in columns)


def _to_pg(
    con: duckdb.DuckDBPyConnection,
    pg: Any,
    table: str,
    query: str,
    target: str | None = None,
    columns: list[tuple[str, str]] | None = None,
) -> int:
    """The rows ``query`` returns on ``con`` (in ``table``'s column order: ``columns``, by default read
    off ``con``'s ``table``) into PostgreSQL's ``target``; the number of rows.

    PostgreSQL's binary COPY, encoded from DuckDB's Arrow batches (pgpq) as they are read: no text
    to write and parse, and dates and numbers arrive as PostgreSQL stores them (a million rows in
    about half the time of a CSV COPY, bench/RESULTS.md §12).
    """
    columns = columns or _columns(con, table)
    reader = con.sql(f"SELECT {_pg_select(columns)} FROM ({query})").to_arrow_reader(COPY_BATCH_ROWS)
    return _copy_arrow(pg, target or table, [n for n, _ in columns], reader.schema, reader)


def _copy_arrow(pg: Any, table: str, names: list[str], schema: Any, batches: Iterable[Any]) -> int:
    """Arrow record batches into PostgreSQL's ``table`` by binary COPY; nothing sent when there are no rows."""
    import pgpq

    rows = (batch for batch in batches if batch.num_rows)
    first = next(rows, None)
    if first is None:
        return 0
    encoder = pgpq.ArrowToPostgresBinaryEncoder(schema)
    count = 0
    cursor = pg.cursor()
    # A thread sends while this one reads and encodes the next rows.
    with cursor.copy(
        f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT binary)", writer=_flushing_writer(cursor)
    ) as copy:
        copy.write(encoder.write_header())
        for batch in itertools.chain([first], rows):
            count += batch.num_rows
            data = memoryview(encoder.write_batch(batch))
            # In pieces: libpq moves what a send leaves over to the front of its buffer, so a
            # block of megabytes costs a copy of its rest per socket write.
            for start in range(0, len(data), COPY_PIECE_BYTES):
                copy.write(data[start : start + COPY_PIECE_BYTES])
        copy.write(encoder.finish())
    return count


def _flushing_writer(cursor: Any) -> Any:
    """psycopg's queued COPY writer, each piece sent whole before the next is handed to libpq
    (``_flushing_class``)."""
    return _flushing_class()(cursor)


@functools.cache
def _flushing_class() -> type:
    """psycopg's queued COPY writer, each piece sent whole before the next is handed to libpq.

    On Linux psycopg leaves the pieces to pile up in libpq's buffer while PostgreSQL is busy, and
    libpq moves the unsent rest to the front of that buffer at every send: a million rows cost
    1.1-1.3 s of our CPU in memmove, against 0.1 s sent piece by piece (bench/RESULTS.md §14),
    CPU the replica's insert beside it needs. The worker is psycopg's own loop with ``flush=True``
    (what psycopg does on macOS; psycopg is pinned in requirements.txt).
    """
    from psycopg.copy import QueuedLibpqWriter
    from psycopg.generators import copy_to

    class Flushing(QueuedLibpqWriter):
        def worker(self) -> None:
            try:
                while data := self._queue.get():
                    self.connection.wait(copy_to(self._pgconn, data, flush=True))
            except BaseException as exc:  # handed to the writer's finish(), as psycopg does
                self._worker_error = exc

    return Flushing


class _Sending:
    """A write's new rows on their way to PostgreSQL in a thread, in the push's transaction.

    Each send starts under a savepoint: a transaction the replica retries, or a write that fails,
    takes its rows back (``settle(discard=True)``), and the push then sends whatever the replica
    holds. The connection is only used by the thread until it is joined.
    """

    def __init__(self, pg: Any) -> None:
        self.pg = pg
        self.sends: list[tuple[str, int, threading.Thread, list[BaseException]]] = []

    def start(self, con: duckdb.DuckDBPyConnection, table: str, batch_id: int, rows: str, incoming: object) -> None:
        """Send ``rows`` (a SELECT over the view ``incoming`` alone, see ``Store._inserting``): the thread
        runs it on a connection of its own over the same ``incoming``, and streams what it yields,
        so the writer's connection goes straight on with its checks."""
        self._join()
        retried = next((n for n, s in enumerate(self.sends) if s[:2] == (table, batch_id)), None)
        if retried is not None:  # the replica's transaction runs again: what its failed try sent goes
            self.pg.execute(f"ROLLBACK TO SAVEPOINT sending_{retried}")
            del self.sends[retried:]
        self.pg.execute(f"SAVEPOINT sending_{len(self.sends)}")
        columns = _columns(con, table)
        errors: list[BaseException] = []

        def send() -> None:
            try:
                with duckdb.connect() as own:
                    own.register("incoming", incoming)
                    _to_pg(own, self.pg, table, rows, columns=columns)
            except BaseException as exc:  # handed to the writer at settle()
                errors.append(exc)

        thread = threading.Thread(target=send, name=f"reform-send-{table}", daemon=True)
        thread.start()
        self.sends.append((table, batch_id, thread, errors))

    def _join(self) -> None:
        for _, _, thread, _ in self.sends:
            thread.join()

    def settle(self, discard: bool) -> set[tuple[str, int]]:
        """Wait for the sends; the (table, batch) they delivered, or none when ``discard``."""
        self._join()
        if discard and self.sends:
            self.pg.execute("ROLLBACK TO SAVEPOINT sending_0")
            self.sends.clear()
        for _, _, _, errors in self.sends:
            if errors:
                raise errors[0]
        return {(table, batch) for table, batch, _, _ in self.sends}

    def stop(self) -> None:
        """The write is over (pushed or failed): no thread may still use the connection."""
        self._join()
        self.sends.clear()


def _key_match(table: str, left: str, right: str) -> str:
    key = ("batch_id", *DATASETS[table].key)
    return " AND ".join(f"{left}.{c} IS NOT DISTINCT FROM {right}.{c}" for c in key)


def _tops(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The highest id (or batch) of each table whose rows are only added."""
    marks: dict[str, Any] = {}
    for table, column in (ID_TABLES | BATCH_TABLES).items():
        marks[table] = int(con.execute(f"SELECT coalesce(max({column}), 0) FROM {table}").fetchall()[0][0])
    marks["batch"] = marks["batches"]
    return marks


def _marks(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Where the replica stands before a write: the highest ids, and a copy of the small tables."""
    marks = _tops(con)
    for table in WHOLE_TABLES:
        con.execute(f"CREATE OR REPLACE TEMP TABLE before_{table} AS SELECT * FROM {table}")
    return marks


def _drop_snapshots(con: duckdb.DuckDBPyConnection) -> None:
    for table in WHOLE_TABLES:
        con.execute(f"DROP TABLE IF EXISTS temp.before_{table}")


def _push(
    con: duckdb.DuckDBPyConnection, pg: Any, marks: dict[str, Any], sent: set[tuple[str, int]]
) -> tuple[bool, bool]:
    """What a write changed in the replica, into PostgreSQL (in the caller's transaction); ``sent``:
    (table, batch) whose rows are there already (``_Sending``). Whether anything changed, and whether
    a table kept whole did."""
    changed = bool(sent)
    whole = False
    touched = _touched(con, marks, sent)
    for table, kind in categories().items():
        if table not in touched:
            continue
        if kind in ("id", "batch"):
            column = (ID_TABLES | BATCH_TABLES)[table]
            changed |= bool(_to_pg(con, pg, table, f"SELECT * FROM {table} WHERE {column} > {marks[table]}"))
        elif kind == "rows":
            changed |= _push_rows(con, pg, table, marks["batch"], _not_sent(table, sent))
        elif kind == "whole":
            moved = _push_whole(con, pg, table)
            changed |= moved
            whole |= moved
    return changed, whole


def _touched(con: duckdb.DuckDBPyConnection, marks: dict[str, Any], sent: set[tuple[str, int]]) -> set[str]:
    """The tables a write changed in the replica beyond what ``sent`` delivered, asked of the replica
    in one query: the push then speaks to PostgreSQL about those alone (a million-row upload's
    batch, audit line and review marks; a sign-in's guard row), not a round trip per table."""
    asks = _beyond(marks, sent)
    for table, key in WHOLE_TABLES.items():
        asks.append(
            f"SELECT '{table}' WHERE EXISTS (SELECT * FROM {table} EXCEPT SELECT * FROM temp.before_{table}) "
            f"OR EXISTS (SELECT {key} FROM temp.before_{table} EXCEPT SELECT {key} FROM {table})"
        )
    return {str(r[0]) for r in con.execute(" UNION ALL ".join(asks)).fetchall()}


def _not_sent(table: str, sent: set[tuple[str, int]]) -> str:
    """The condition leaving out of ``table``'s new rows the batches already sent (``_Sending``)."""
    skip = sorted(b for t, b in sent if t == table)
    return f" AND batch_id NOT IN ({', '.join(str(int(b)) for b in skip)})" if skip else ""


def _push_rows(con: duckdb.DuckDBPyConnection, pg: Any, table: str, mark: int, others: str) -> bool:
    """A dataset table: its new rows (``others``: but the batches sent already, ``_not_sent``), and
    the older rows this write retired."""
    added = _to_pg(con, pg, table, f"SELECT * FROM {table} WHERE batch_id > {mark}{others}")
    pg.execute(f"CREATE TEMP TABLE IF NOT EXISTS retired_{table} (LIKE {table}) ON COMMIT DROP")
    retired = _to_pg(
        con, pg, table, f"SELECT * FROM {table} WHERE batch_id <= {mark} AND replaced_by > {mark}", f"retired_{table}"
    )
    if retired:
        pg.execute(
            f"UPDATE {table} t SET replaced_by = r.replaced_by FROM retired_{table} r "
            f"WHERE t.replaced_by IS NULL AND {_key_match(table, 't', 'r')}"
        )
    return bool(added or retired)


def _push_whole(con: duckdb.DuckDBPyConnection, pg: Any, table: str) -> bool:
    """A small table changed in place: its changed rows upserted, its removed keys deleted."""
    key = WHOLE_TABLES[table]
    columns = [n for n, _ in _columns(con, table)]
    pg.execute(f"CREATE TEMP TABLE IF NOT EXISTS changed_{table} (LIKE {table}) ON COMMIT DROP")
    upserted = _to_pg(
        con, pg, table, f"SELECT * FROM {table} EXCEPT SELECT * FROM temp.before_{table}", f"changed_{table}"
    )
    if upserted:
        assign = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != key)
        pg.execute(f"INSERT INTO {table} SELECT * FROM changed_{table} ON CONFLICT ({key}) DO UPDATE SET {assign}")
    gone = [
        r[0] for r in con.execute(f"SELECT {key} FROM temp.before_{table} EXCEPT SELECT {key} FROM {table}").fetchall()
    ]
    if gone:
        pg.execute(f"DELETE FROM {table} WHERE {key} = ANY(%s)", [gone])
    return bool(upserted or gone)


def _pull(pg: Any, con: duckdb.DuckDBPyConnection, refused: Refusals, whole: bool = True) -> None:
    """PostgreSQL's rows the replica has not seen, into it (one DuckDB transaction).

    The quick way first; should the replica refuse a row there (DuckDB then abandons the whole
    transaction), the same pull again, row by row as far as the checks go (``_to_replica``). ``whole``:
    the tables kept whole changed since the last pull (or the replica is new): copied again."""
    try:
        _pull_once(pg, con, None, whole)
    except duckdb.Error:
        _pull_once(pg, con, refused, whole)
        return
    for table, kind in categories().items():
        if kind == "whole" and whole:
            refused.keep(table, "true", [])  # taken whole: nothing of it refused now


def _pull_once(pg: Any, con: duckdb.DuckDBPyConnection, refused: Refusals | None, whole: bool) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        marks = _tops(con)
        news = _news(pg, marks)
        for table, kind in categories().items():
            if kind in ("id", "batch") and table in news:
                column = (ID_TABLES | BATCH_TABLES)[table]
                _to_replica(pg, con, table, f"{column} > {marks[table]}", refused=refused)
            elif kind == "rows" and table in news:
                _pull_rows(pg, con, table, marks["batch"], refused)
            elif kind == "whole" and whole:
                con.execute(f"DELETE FROM {table}")
                _to_replica(pg, con, table, "true", refused=refused)
        _follow_sequences(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _news(pg: Any, marks: dict[str, Any]) -> set[str]:
    """The tables whose rows are only added (or retired) that hold rows the replica has not seen,
    asked in one round trip: a sync then copies those alone (after one upload, its dataset, the
    batches and the audit) instead of a COPY per table."""
    return {str(r[0]) for r in pg.execute(" UNION ALL ".join(_beyond(marks, set()))).fetchall()}


def _beyond(marks: dict[str, Any], sent: set[tuple[str, int]]) -> list[str]:
    """Per table whose rows are only added (or retired), a query naming it when it has rows beyond
    ``marks``: new ids or batches (but those in ``sent``), or older rows retired since. The same
    questions asked of PostgreSQL (``_news``) and of the replica (``_touched``)."""
    batch = int(marks["batch"])
    asks = []
    for table, kind in categories().items():
        if kind in ("id", "batch"):
            column = (ID_TABLES | BATCH_TABLES)[table]
            asks.append(f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM {table} WHERE {column} > {int(marks[table])})")
        elif kind == "rows":
            new_rows = f"batch_id > {batch}{_not_sent(table, sent)}"
            asks.append(
                f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM {table} WHERE {new_rows}) "
                f"OR EXISTS (SELECT 1 FROM {table} WHERE batch_id <= {batch} AND replaced_by > {batch})"
            )
    return asks


def _pull_rows(pg: Any, con: duckdb.DuckDBPyConnection, table: str, mark: int, refused: Refusals | None) -> None:
    _to_replica(pg, con, table, f"batch_id > {mark}", refused=refused)
    con.execute(f"CREATE OR REPLACE TEMP TABLE retired_{table} AS SELECT * FROM {table} LIMIT 0")
    if _to_replica(pg, con, table, f"batch_id <= {mark} AND replaced_by > {mark}", f"temp.retired_{table}", refused):
        con.execute(
            f"UPDATE {table} t SET replaced_by = r.replaced_by FROM temp.retired_{table} r "
            f"WHERE t.replaced_by IS NULL AND {_key_match(table, 't', 'r')}"
        )
    con.execute(f"DROP TABLE temp.retired_{table}")


def _follow_sequences(con: duckdb.DuckDBPyConnection) -> None:
    """The replica's id sequences continue after the highest id pulled (another server's lines)."""
    for table, sequence in SEQUENCES.items():
        top = int(con.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchall()[0][0])
        default = str(
            con.execute(
                "SELECT column_default FROM duckdb_columns() WHERE table_name = ? AND column_name = 'id'", [table]
            ).fetchall()[0][0]
        )
        current = default.split("'")[1] if "'" in default else sequence
        start = int(current.rsplit("_", 1)[1]) if current.rsplit("_", 1)[-1].isdigit() else 1
        if top < start:
            continue
        fresh = f"{sequence}_{top + 1}"
        con.execute(f"CREATE SEQUENCE IF NOT EXISTS {fresh} START {top + 1}")
        con.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{fresh}')")
