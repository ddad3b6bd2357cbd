"""The DuckDB store: batches, slice replacement with history, current views, restore.

Every row belongs to a batch (one upload). A commit replaces, for every slice the
file covers (and every key it names), the rows that were current: they stay in
the table with ``replaced_by`` set, so nothing is ever physically deleted and an
earlier batch can be restored as a new batch. Connections are opened per call,
never shared across threads.
"""

from __future__ import annotations

import functools
import getpass
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd
import pyarrow as pa

from reform import auditchain, clock, keys, slices
from reform.config import is_postgres
from reform.datasets import DATASETS, Dataset
from reform.ingest.report import Progress, Report

SCHEMA_VERSION = 7  # 1: batches, datasets; 2: users, audit; 3: sign-in counts; 4: notifications; 5: reviews;
# 6: explanations (soft check rules); 7: password history, the audit log's chain, second factors
_SQL_TYPES = {
    "text": "VARCHAR",
    "township": "VARCHAR",
    "city": "VARCHAR",
    "enum": "VARCHAR",
    "date": "DATE",
    "integer": "BIGINT",
    "amount": "DECIMAL(18,2)",
    "year": "INTEGER",
    "round": "INTEGER",
    "bool": "BOOLEAN",
}


def stored_columns(dataset: Dataset) -> list[tuple[str, str]]:
    """(name, SQL type) of a dataset's stored columns; a period becomes label, kind, start, end."""
    columns: list[tuple[str, str]] = []
    for column in dataset.columns:
        if column.kind == "period":
            columns += [
                ("period", "VARCHAR"),
                ("period_kind", "VARCHAR"),
                ("period_start", "DATE"),
                ("period_end", "DATE"),
            ]
        else:
            columns.append((column.name, _SQL_TYPES[column.kind]))
    return columns


class SigninGuard:
    """Failed sign-ins per key (``name:…``) in a DuckDB ``login_guard`` table; ``reform.pgstore.PgGuard``
    does the same in PostgreSQL. The caller's transaction makes a read and its write one step."""

    def __init__(self, con: Any) -> None:
        self.con = con

    def get(self, key: str) -> tuple[int, datetime | None]:
        rows = self.con.execute("SELECT failures, locked_until FROM login_guard WHERE key = ?", [key]).fetchall()
        return (int(rows[0][0]), rows[0][1]) if rows else (0, None)

    def put(self, key: str, failures: int, locked_until: datetime | None, now: datetime) -> None:
        self.con.execute(
            "INSERT OR REPLACE INTO login_guard (key, failures, locked_until, last_at) VALUES (?, ?, ?, ?)",
            [key, failures, locked_until, now],
        )

    def clear(self, key: str, at_most: int | None = None) -> None:
        """Forget a key's failures (``at_most``: only when no more than that many were counted)."""
        self.con.execute(
            "DELETE FROM login_guard WHERE key = ? AND failures <= ?", [key, 2**31 - 1 if at_most is None else at_most]
        )

    def forget_before(self, cutoff: datetime, minutes: int) -> None:
        """Drop windows that ran out before ``cutoff`` (a lock's end, or a last failure ``minutes`` old)."""
        self.con.execute(
            "DELETE FROM login_guard WHERE coalesce(locked_until, last_at + INTERVAL (?) MINUTE) < ?", [minutes, cutoff]
        )

    def rows(self, prefix: str) -> dict[str, tuple[int, datetime | None]]:
        found = self.con.execute(
            "SELECT key, failures, locked_until FROM login_guard WHERE starts_with(key, ?)", [prefix]
        ).fetchall()
        return {str(k): (int(f), u) for k, f, u in found}


def schema_sql(audit_start: int = 1, review_start: int = 1) -> list[str]:
    """The schema's statements; a restore starts the id sequences after the restored ids."""
    statements = [
        """CREATE TABLE IF NOT EXISTS batches (
            batch_id BIGINT PRIMARY KEY, dataset VARCHAR NOT NULL, kind VARCHAR NOT NULL,
            file_name VARCHAR, content_hash VARCHAR, uploaded_by VARCHAR, uploaded_at TIMESTAMP,
            rows_stored BIGINT, rows_replaced BIGINT, is_sample BOOLEAN, restored_from BIGINT)""",
        "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
        """CREATE TABLE IF NOT EXISTS users (
            name VARCHAR PRIMARY KEY, role VARCHAR NOT NULL, township VARCHAR, password_hash VARCHAR NOT NULL,
            disabled BOOLEAN NOT NULL DEFAULT false, created_at TIMESTAMP, password_changed_at TIMESTAMP,
            failed_logins INTEGER NOT NULL DEFAULT 0, locked_until TIMESTAMP)""",
        """CREATE TABLE IF NOT EXISTS password_history (
            password_hash VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, set_at TIMESTAMP NOT NULL,
            temporary BOOLEAN NOT NULL DEFAULT false)""",
        """CREATE TABLE IF NOT EXISTS second_factor (
            name VARCHAR PRIMARY KEY, secret VARCHAR NOT NULL, enrolled_at TIMESTAMP, last_step BIGINT,
            recovery VARCHAR)""",
        """CREATE TABLE IF NOT EXISTS login_guard (
            key VARCHAR PRIMARY KEY, failures INTEGER NOT NULL, locked_until TIMESTAMP, last_at TIMESTAMP)""",
        """CREATE TABLE IF NOT EXISTS notifications (
            key VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, channel VARCHAR NOT NULL, recipient VARCHAR,
            subject VARCHAR, body VARCHAR, status VARCHAR NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
            claimed_by VARCHAR, claimed_at TIMESTAMP, sent_at TIMESTAMP, result VARCHAR)""",
        f"CREATE SEQUENCE IF NOT EXISTS review_seq START {int(review_start)}",
        """CREATE TABLE IF NOT EXISTS reviews (
            id BIGINT PRIMARY KEY DEFAULT nextval('review_seq'), dataset VARCHAR NOT NULL, slice VARCHAR NOT NULL,
            batch_id BIGINT, state VARCHAR NOT NULL, reason VARCHAR, by_user VARCHAR, decided_at TIMESTAMP NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS explanations (
            batch_id BIGINT NOT NULL, rule VARCHAR NOT NULL, source_row INTEGER, message VARCHAR,
            text VARCHAR NOT NULL)""",
        f"CREATE SEQUENCE IF NOT EXISTS audit_seq START {int(audit_start)}",
        """CREATE TABLE IF NOT EXISTS audit (
            id BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'), logged_at TIMESTAMP NOT NULL, user_name VARCHAR,
            action VARCHAR NOT NULL, outcome VARCHAR NOT NULL, detail VARCHAR)""",
        """CREATE TABLE IF NOT EXISTS audit_chain (
            id BIGINT PRIMARY KEY, algorithm VARCHAR NOT NULL, mac VARCHAR NOT NULL)""",
    ]
    for dataset in DATASETS.values():
        cols = ", ".join(f"{name} {sql}" for name, sql in stored_columns(dataset))
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {dataset.name} "
            f"(batch_id BIGINT NOT NULL, source_row INTEGER, replaced_by BIGINT, {cols})"
        )
        statements.append(
            f"CREATE OR REPLACE VIEW current_{dataset.name} AS "
            f"SELECT * EXCLUDE (replaced_by) FROM {dataset.name} WHERE replaced_by IS NULL"
        )
    return statements


def declared_tables() -> frozenset[str]:
    """Every table the schema creates (a backup holds these and nothing else)."""
    import re

    return frozenset(
        m.group(1) for m in (re.match(r"\s*CREATE TABLE IF NOT EXISTS (\w+)", s) for s in schema_sql()) if m
    )


AUDIT_NAME, AUDIT_DETAIL = 64, 500  # a user name and a detail are cut to these lengths in the audit log


def insert_audit(
    con: Any, user: str | None, action: str, outcome: str, detail: str, now: datetime | None = None
) -> None:
    """One audit line on ``con`` (inside the caller's transaction, when it has one), sealed into the
    chain (``reform.auditchain``). A line that cannot be written or sealed raises: the action fails."""
    values = [now or clock.now(), user[:AUDIT_NAME] if user else user, action, outcome, (detail or "")[:AUDIT_DETAIL]]
    key = auditchain.key()  # before the line: one that cannot be sealed is not written
    line_id = con.execute(
        "INSERT INTO audit (logged_at, user_name, action, outcome, detail) VALUES (?, ?, ?, ?, ?) RETURNING id", values
    ).fetchall()[0][0]
    auditchain.seal(con, key, int(line_id), auditchain.canonical(line_id, *values))


class NothingToDoError(ValueError):
    """A rollback of a batch none of whose rows is current any more: there is nothing to undo."""


@dataclass(frozen=True)
class CommitResult:
    """What a commit did: the new batch, or the earlier batch of the same file."""

    batch_id: int | None
    rows_stored: int
    rows_replaced: int
    duplicate_of: int | None = None


Audit = Callable[[CommitResult], tuple[str | None, str, str, str]]  # result -> (user, action, outcome, detail)


def in_slices(frame: pd.DataFrame, dataset: Dataset, slices: list[dict[str, Any]]) -> pd.Series:
    """Rows of ``frame`` that fall in any of the given slices ({slice column: value})."""
    mask = pd.Series(False, index=frame.index)
    for values in slices:
        part = pd.Series(True, index=frame.index)
        for column in dataset.slice:
            part &= frame[column].astype(str) == str(values[column])
        mask |= part
    return mask


def to_stored(frame: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """A report's rows in the table's column order (validation already gives the stored form)."""
    return frame[["source_row", *(name for name, _ in stored_columns(dataset))]]


LOCK_WAIT_S = 15.0
_writer_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _writer_lock(path: Path) -> threading.Lock:
    with _locks_guard:
        return _writer_locks.setdefault(str(path.resolve()), threading.Lock())


T = TypeVar("T")
SETTLED_NS = 1_000_000_000  # a file untouched this long has a modification time no later write can share
_remembered: dict[tuple[str, str], tuple[Any, Any]] = {}


def _signature(path: Path) -> tuple[tuple[int, int, int], ...] | None:
    """What changes on disk with any committed write: the file's and its WAL's inode, size and mtime."""
    parts = []
    for part in (path, path.with_name(path.name + ".wal")):
        try:
            found = part.stat()
        except FileNotFoundError:
            if part == path:
                return None
            parts.append((0, 0, 0))
            continue
        parts.append((found.st_ino, found.st_size, found.st_mtime_ns))
    return tuple(parts)


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    deadline, pause = time.monotonic() + LOCK_WAIT_S, 0.05
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)


class Store:
    """One DuckDB database file (or, given a ``postgresql://`` URL, ``reform.pgstore.PgStore``)."""

    def __new__(cls, path: str | Path) -> Store:
        if cls is Store and is_postgres(path):
            from reform.pgstore import PgStore

            return PgStore.shared(str(path))  # one per database and process: it holds the replica
        return super().__new__(cls)

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A fresh connection for one call; closed afterwards (never shared across threads).

        Another process (the command line while the app runs) may hold the file's lock for
        a moment: wait for it, up to LOCK_WAIT_S, rather than fail the user's click.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = _open(self.path)
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for a write, one writer per database file in this process at a time.

        DuckDB would fail the second of two concurrent commits on the same rows (a
        write-write conflict); two clerks uploading at once simply take turns.
        """
        with _writer_lock(self.path), self.connect() as con, auditchain.sealing(self.secret):
            yield con

    @staticmethod
    def _current_schema(con: duckdb.DuckDBPyConnection) -> bool:
        if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'").fetchall()[0][0]:
            return False
        found = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        if not found or int(found[0][0]) < SCHEMA_VERSION:
            return False
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        return declared_tables() <= tables  # a dataset declared since (an extension) gets its table

    def init(self) -> None:
        """Create (or bring up to date) the schema; free when this process found it current and
        the file has not changed since (every read calls it)."""
        self.remembered("schema", self._ensure_schema)

    def _ensure_schema(self) -> bool:
        with self.connect() as con:
            if self._current_schema(con):
                return True
        with self.writing() as con:
            if not self._current_schema(con):  # another thread may have done it meanwhile
                con.execute("BEGIN TRANSACTION")  # the whole schema (or the missing part of it) or none of it
                for statement in schema_sql():
                    con.execute(statement)
                con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
                con.execute("COMMIT")
        return True

    def forget_archived_audit(self, last_id: int, mac: str) -> None:
        """Audit lines up to ``last_id`` left the store for a verified archive: they go, and the anchor
        (the last one's id and seal) stays for the chain of the rest; one transaction."""
        with self.writing() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(
                    "INSERT OR REPLACE INTO meta VALUES (?, ?)", [auditchain.ANCHOR_KEY, f"{int(last_id)} {mac}"]
                )
                con.execute("DELETE FROM audit_chain WHERE id <= ?", [last_id])
                con.execute("DELETE FROM audit WHERE id <= ?", [last_id])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def secret(self) -> bytes:
        """This installation's key (``reform.keys``): it seals the audit chain, signs backups and links."""
        return keys.signing_key(getattr(self, "url", self.path), create=True)

    def exists(self) -> bool:
        """Whether the store has been created (asking must not create a DuckDB file)."""
        return self.path.exists()

    @contextmanager
    def guard(self, write: bool = True) -> Iterator[SigninGuard]:
        """Where failed sign-ins are counted (``reform.auth``), in one transaction: in a DuckDB file,
        its ``login_guard`` table under the writer's lock (a PostgreSQL store counts in PostgreSQL)."""
        if not write:
            with self.connect() as con:
                yield SigninGuard(con)
            return
        with self.writing() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield SigninGuard(con)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def refused_rows(self) -> list[Any]:
        """Rows of a shared database this server could not take (a DuckDB file has none)."""
        return []

    def load_from(self, source: Path) -> None:
        """Only a PostgreSQL store is filled this way (a DuckDB restore writes the file itself)."""
        raise ValueError(f"{self.path} is a DuckDB file: restore into a new file instead")

    # ------------------------------------------------------------------ reading
    @contextmanager
    def reader(
        self, as_of: int | None = None, published: bool = False, assume: list[tuple[str, str, int]] | None = None
    ) -> Iterator[Reader]:
        """Several read queries on one connection; with ``as_of``, the data as it was at that version.

        A meeting freezes the version it started with: temporary views with the same names
        as the tables and current views show only batches up to it, and rows replaced later
        as still current, so every metric runs unchanged on the frozen data.
        """
        self.init()
        with self.connect() as con:
            if as_of is not None:
                _freeze(con, int(as_of))
            if published:  # what leaders see with review on: approved slices (reform.slices)
                slices.publish(con, _database(con), frozen=as_of is not None, assume=assume)
            yield Reader(con)

    def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        with self.connect() as con:
            return con.execute(sql, params or []).df()

    def remembered(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()``'s answer, kept until the database changes on disk.

        Every page rerun asks for the data version and who may sign in; while neither the file
        nor its write-ahead log has changed (size, modification time, inode), the last answer
        stands and no connection is opened. Any committed write by any process touches one of
        them. The signature is taken before computing, so a write meanwhile means a recheck;
        and a file changed in the last second is always asked (file times are coarser than
        the gap between two quick writes).
        """
        signature = _signature(self.path)
        key = (str(self.path.resolve()), name)
        found = _remembered.get(key)
        settled = signature is not None and time.time_ns() - max(p[2] for p in signature) > SETTLED_NS
        if settled and found is not None and found[0] == signature:
            return found[1]
        answer = compute()
        _remembered[key] = (signature, answer)
        return answer

    def review_version(self) -> int:
        """Changes with every review step (approvals change what leaders see, not the data version)."""

        def newest() -> int:
            with self.connect() as con:
                return int(con.execute("SELECT coalesce(max(id), 0) FROM reviews").fetchall()[0][0])

        self.init()
        return self.remembered("review_version", newest)

    def pending_slices(self) -> int:
        """Slices whose newest upload is not approved yet (what leaders do not see with review on)."""
        self.init()
        with self.connect() as con:
            return slices.pending(con)

    def data_version(self) -> int:
        """Changes with every commit: the cache key of everything the UI shows."""
        return self.remembered("data_version", self._data_version)

    def _data_version(self) -> int:
        if not self.exists():
            return 0
        with self.connect() as con:
            if not con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'batches'"
            ).fetchall()[0][0]:
                return 0
            return int(con.execute("SELECT coalesce(max(batch_id), 0) FROM batches").fetchall()[0][0])

    def batches(self) -> pd.DataFrame:
        """Every batch, newest first, with how many of its rows are still current."""
        parts = " UNION ALL ".join(
            f"SELECT batch_id, count(*) FILTER (WHERE replaced_by IS NULL) AS current_rows FROM {d} GROUP BY batch_id"
            for d in DATASETS
        )
        return self.query(
            f"SELECT b.*, coalesce(c.current_rows, 0) AS current_rows FROM batches b "
            f"LEFT JOIN ({parts}) c USING (batch_id) ORDER BY b.batch_id DESC"
        )

    def sample_share(self) -> float:
        """The share of current rows that are sample data (invented): labelled while above 0."""
        frame = self.query(sample_share_sql())
        total = frame.at[0, "n"]
        return 0.0 if not total or pd.isna(total) else float(frame.at[0, "s"]) / float(total)

    def sample_batches(self) -> list[int]:
        """Sample batches with rows still current, oldest first (what ``sample --remove`` retires)."""
        parts = " UNION ".join(f"SELECT batch_id FROM current_{d}" for d in DATASETS)
        frame = self.query(f"SELECT batch_id FROM batches WHERE is_sample AND batch_id IN ({parts}) ORDER BY 1")
        return [int(b) for b in frame["batch_id"]]

    def only_sample(self) -> bool:
        """True while every stored batch is sample data (the UI then shows a banner)."""
        frame = self.query("SELECT count(*) AS n, count(*) FILTER (WHERE NOT is_sample) AS real FROM batches")
        return bool(frame.at[0, "n"]) and not int(frame.at[0, "real"])

    # ------------------------------------------------------------------ writing
    def commit(
        self,
        report: Report,
        user: str | None = None,
        *,
        is_sample: bool = False,
        units: set[str] | None = None,
        progress: Progress = None,
        audit: Audit | None = None,
        review: bool = False,
        explanations: list[tuple[str, int | None, str, str]] | None = None,
    ) -> CommitResult:
        """Store an ``ok`` report as one batch, replacing the slices it covers; all or nothing.

        With ``units``, every row written and every row replaced must belong to those reporting
        units (a township account): otherwise PermissionError, and nothing is written.
        ``progress(share)`` is told how far the commit has come (for a progress bar).
        ``audit(result)`` gives the audit line written in the same transaction as the rows.
        ``review``: record its slices as *uploaded* for review (``reform.slices``).
        ``explanations``: (rule, row, what the rule says of the row, the uploader's words) for the soft
        check rules the file breaks, stored with the batch (the reviewer reads them).
        """
        if not report.ok or report.frame is None or report.dataset is None:
            raise ValueError("only a report without errors can be committed")
        dataset = DATASETS[report.dataset]
        incoming = to_stored(report.frame, dataset)
        with self.writing() as con:
            duplicate = self._same_file(con, dataset.name, report.content_hash)
            if duplicate is not None:
                return CommitResult(None, 0, 0, duplicate_of=duplicate)
            batch = {
                "dataset": dataset.name,
                "kind": "upload",
                "file_name": report.file_name,
                "content_hash": report.content_hash,
                "uploaded_by": user or getpass.getuser(),
                "is_sample": is_sample,
                "restored_from": None,
                "review": review,
                "explanations": explanations or [],
            }
            return self._write(con, dataset, incoming, batch, units=units, progress=progress, audit=audit)

    def foreign_replacements(self, report: Report, units: set[str]) -> list[tuple[int, str]]:
        """Rows of the file whose key would replace a current row of another unit, as (row, that unit).

        The dry run asks this (read-only) so that it gives the verdict the commit will: the commit
        refuses the same rows inside its transaction (``_check_units``).
        """
        if report.frame is None or report.dataset is None:
            return []
        dataset = DATASETS[report.dataset]
        if "township" not in dataset.column_map:
            return []
        on = " AND ".join(f"i.{c} IS NOT DISTINCT FROM t.{c}" for c in dataset.key)
        self.init()
        with self.connect() as con:
            register(con, "incoming", to_stored(report.frame, dataset))
            try:
                rows = con.execute(
                    f"SELECT i.source_row, t.township FROM incoming i JOIN current_{dataset.name} t ON {on} "
                    f"WHERE NOT list_contains(?, t.township) ORDER BY i.source_row",
                    [sorted(units)],
                ).fetchall()
            finally:
                con.unregister("incoming")
        return [(int(r), str(t)) for r, t in rows]

    def locked_slices(self, report: Report) -> list[tuple[str, str]]:
        """The slices under review (submitted or approved) a commit of ``report`` would write into or
        retire from, as (slice key, state): read-only, the verdict the commit gives in its transaction."""
        if report.frame is None or report.dataset is None:
            return []
        dataset = DATASETS[report.dataset]
        self.init()
        with self.connect() as con:
            register(con, "incoming", to_stored(report.frame, dataset))
            try:
                return slices.locked(con, dataset)
            finally:
                con.unregister("incoming")

    def _batch_info(self, con: duckdb.DuckDBPyConnection, batch_id: int) -> tuple[Dataset, dict[str, Any]]:
        found = con.execute(
            "SELECT dataset, file_name, content_hash, is_sample FROM batches WHERE batch_id = ?", [batch_id]
        ).fetchall()
        if not found:
            raise KeyError(f"no batch {batch_id}")
        name, file_name, content_hash, is_sample = found[0]
        info = {"dataset": name, "file_name": file_name, "content_hash": content_hash, "is_sample": is_sample}
        return DATASETS[name], info

    def restore(
        self,
        batch_id: int,
        user: str | None = None,
        slices: list[dict[str, Any]] | None = None,
        audit: Audit | None = None,
    ) -> CommitResult:
        """Make an earlier batch's rows current again (all its slices, or the ones given), as a new batch."""
        with self.writing() as con:
            dataset, info = self._batch_info(con, batch_id)
            cols = ", ".join(["source_row"] + [c for c, _ in stored_columns(dataset)])
            incoming = con.execute(
                f"SELECT {cols} FROM {dataset.name} WHERE batch_id = ? ORDER BY source_row", [batch_id]
            ).df()
            if slices is not None:
                incoming = incoming[in_slices(incoming, dataset, slices)].reset_index(drop=True)
                if incoming.empty:
                    raise KeyError(f"batch {batch_id} has no rows in {slices}")
            batch = info | {"kind": "restore", "uploaded_by": user or getpass.getuser(), "restored_from": batch_id}
            return self._write(con, dataset, incoming, batch, audit=audit)

    def undo(
        self, batch_id: int, user: str | None = None, audit: Audit | None = None, kind: str = "rollback"
    ) -> CommitResult:
        """Roll back a batch: retire its current rows and bring back the rows it replaced.

        A replaced row comes back when the batch's row that took its place is still current: in its
        slice, or under its key (a Youth Home stored again under another township: the other
        township's row comes back too), and no later batch has written its slice since. Nothing
        else is touched, so rolling back a batch right after it gives exactly the state before it.
        Slices the batch added with nothing before them are emptied. The rollback is itself a new
        batch; the undone rows stay in the history.
        """
        with self.writing() as con:
            dataset, info = self._batch_info(con, batch_id)
            current = con.execute(
                f"SELECT count(*) FROM {dataset.name} WHERE batch_id = ? AND replaced_by IS NULL", [batch_id]
            ).fetchall()[0][0]
            previous = _replaced_rows_to_bring_back(con, dataset, batch_id)
            if not current and previous.empty:
                raise NothingToDoError(f"batch {batch_id} has no current rows: nothing to roll back")
            batch = info | {"kind": kind, "uploaded_by": user or getpass.getuser(), "restored_from": batch_id}
            return self._write(con, dataset, previous, batch, retire_batch=batch_id, audit=audit, only_retire=True)

    @staticmethod
    def _same_file(con: duckdb.DuckDBPyConnection, dataset: str, content_hash: str) -> int | None:
        """An earlier upload of the same bytes whose rows are all still current.

        Only an upload's rows are the file's rows: a rollback or a restore carries the file's name
        and hash too (``_batch_info``), but after rolling an upload back its file must store again."""
        rows = con.execute(
            f"SELECT b.batch_id FROM batches b WHERE b.dataset = ? AND b.content_hash = ? AND b.kind = 'upload' "
            f"AND NOT EXISTS (SELECT 1 FROM {dataset} d WHERE d.batch_id = b.batch_id AND d.replaced_by IS NOT NULL) "
            f"ORDER BY b.batch_id DESC LIMIT 1",
            [dataset, content_hash],
        ).fetchall()
        return int(rows[0][0]) if rows else None

    def _inserting(
        self, con: duckdb.DuckDBPyConnection, table: str, batch_id: int, rows: str, incoming: object
    ) -> None:
        """Told inside a write's transaction as soon as its batch number is known: ``rows`` is the SELECT
        of the rows it will insert into ``table``; it reads nothing but the view ``incoming``, which
        shows ``incoming`` (an Arrow table or a DataFrame), so another connection can run it too.
        Nothing to do for a file; the PostgreSQL store starts sending them while the replica checks
        and stores them (``reform.pgstore``)."""

    def _fold_log(self, con: duckdb.DuckDBPyConnection) -> None:
        """After a write: its log folded into the database file (``_checkpoint``)."""
        _checkpoint(con)

    def _write(
        self,
        con: duckdb.DuckDBPyConnection,
        dataset: Dataset,
        incoming: pd.DataFrame,
        batch: dict[str, Any],
        retire_batch: int | None = None,
        units: set[str] | None = None,
        progress: Progress = None,
        audit: Audit | None = None,
        only_retire: bool = False,
    ) -> CommitResult:
        """One transaction (retried whole on a write-write conflict): supersede the covered slices
        and keys, insert the rows, record the batch."""
        tell = progress or (lambda _share: None)
        registered = register(con, "incoming", incoming)
        tell(0.1)
        try:
            for attempt in range(CONFLICT_RETRIES + 1):
                try:
                    batch_id, replaced = _transaction(
                        con,
                        dataset,
                        batch,
                        len(incoming),
                        (retire_batch, units, audit, only_retire),
                        tell,
                        functools.partial(self._inserting, incoming=registered),
                    )
                    break
                except duckdb.TransactionException as exc:  # another writer's rows in the way: try again whole
                    if "conflict" not in str(exc).lower() or attempt == CONFLICT_RETRIES:
                        raise
                    time.sleep(0.05 * (attempt + 1))
        finally:
            con.unregister("incoming")
        tell(0.9)
        self._fold_log(con)
        tell(1.0)
        return CommitResult(int(batch_id), len(incoming), int(replaced))


CONFLICT_RETRIES = 3  # a transaction DuckDB refuses as a write-write conflict is run again this often


def _transaction(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    batch: dict[str, Any],
    rows: int,
    scope: tuple[int | None, set[str] | None, Audit | None, bool],
    tell: Callable[[float], None],
    inserting: Callable[[duckdb.DuckDBPyConnection, str, int, str], None],
) -> tuple[int, int]:
    """Supersede the covered slices and keys, insert ``incoming``, record the batch and its audit
    line: all or nothing. ``scope`` is (batch to retire, units allowed, audit line maker, and whether
    only that batch's rows are retired: a rollback replaces nothing else); ``inserting`` is told the
    rows before they are inserted (``Store._inserting``)."""
    retire_batch, units, audit, only_retire = scope
    name = dataset.name
    columns = [c for c, _ in stored_columns(dataset)]
    slice_cols = ["period" if c == "period" else c for c in dataset.slice]
    key_cols = list(dataset.key)

    def match(cols: list[str]) -> str:
        return " AND ".join(f"i.{c} IS NOT DISTINCT FROM t.{c}" for c in cols)

    con.execute("BEGIN TRANSACTION")
    try:
        batch_id = con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM batches").fetchall()[0][0]
        select = ", ".join(f"CAST(i.{c} AS {sql}) AS {c}" for c, sql in stored_columns(dataset))
        new_rows = f"SELECT {int(batch_id)} AS batch_id, i.source_row, NULL AS replaced_by, {select} FROM incoming i"
        inserting(con, name, int(batch_id), new_rows)
        covered = (
            f"t.replaced_by IS NULL AND (EXISTS (SELECT 1 FROM incoming i WHERE {match(slice_cols)}) OR "
            f"EXISTS (SELECT 1 FROM incoming i WHERE {match(key_cols)}))"
        )
        if units is not None and "township" in dataset.column_map:
            _check_units(con, name, covered, units)
        slices.check_unlocked(con, dataset, retire_batch)  # nothing written into a slice under review
        slices.mark_uploaded(con, dataset, batch_id, batch["uploaded_by"], clock.now(), bool(batch.get("review")))
        covered_here = "false" if only_retire else f"({covered})"
        replaced = con.execute(
            f"UPDATE {name} AS t SET replaced_by = ? "
            f"WHERE {covered_here} OR (t.replaced_by IS NULL AND t.batch_id = ?)",
            [batch_id, retire_batch],
        ).fetchall()[0][0]
        con.execute(f"INSERT INTO {name} (batch_id, source_row, replaced_by, {', '.join(columns)}) {new_rows}")
        con.execute(
            "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                batch_id,
                batch["dataset"],
                batch["kind"],
                batch["file_name"],
                batch["content_hash"],
                batch["uploaded_by"],
                clock.now(),
                rows,
                replaced,
                batch["is_sample"],
                batch["restored_from"],
            ],
        )
        if batch.get("explanations"):
            con.executemany(
                "INSERT INTO explanations VALUES (?, ?, ?, ?, ?)", [[batch_id, *e] for e in batch["explanations"]]
            )
        if audit is not None:
            user, action, outcome, detail = audit(CommitResult(int(batch_id), rows, int(replaced)))
            insert_audit(con, user, action, outcome, detail)
        con.execute("COMMIT")
    except BaseException:  # a Streamlit rerun is a BaseException: roll back for it too
        con.execute("ROLLBACK")
        raise
    tell(0.8)  # after the transaction: no Streamlit call may interrupt it half-way
    return int(batch_id), int(replaced)


def register(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> pa.Table | pd.DataFrame:
    """Make ``frame`` visible to SQL as ``name``: as Arrow (fast), or as the DataFrame itself when DuckDB
    cannot find its Arrow scan on this connection (seen once under 20 concurrent sessions:
    "Table Function with name python_arrow_scan does not exist"). Returns what the view shows."""
    rows = columnar(frame)
    try:
        con.register(name, rows)
    except duckdb.CatalogException:
        rows = frame
        con.register(name, rows)
    return rows


def columnar(frame: pd.DataFrame) -> pa.Table | pd.DataFrame:
    """The rows as an Arrow table, which DuckDB scans without looking at each Python value (3× faster)."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a column of mixed values: DuckDB's own cast decides
        return frame


def percent_of_sample(share: float) -> int:
    """The invented share as a whole per cent that is never 0 or 100 while real and invented rows mix."""
    return min(99, max(1, int(share * 100)))


def sample_share_sql() -> str:
    """Current rows, and those of them from sample batches, over every dataset (n, s)."""
    parts = " UNION ALL ".join(
        f"SELECT count(*) AS n, count(*) FILTER (WHERE b.is_sample) AS s "
        f"FROM current_{d} t JOIN batches b USING (batch_id)"
        for d in DATASETS
    )
    return f"SELECT sum(n) AS n, sum(s) AS s FROM ({parts})"


def _replaced_rows_to_bring_back(con: duckdb.DuckDBPyConnection, dataset: Dataset, batch_id: int) -> pd.DataFrame:
    """The rows batch N replaced that a rollback of N brings back: each one whose place N still holds
    (no row of N in its slice or with its key has been replaced since), whose slice no later batch
    has written, and whose key no other current row has taken."""

    def same(alias: str, columns: tuple[str, ...]) -> str:
        return " AND ".join(f"{alias}.{c} IS NOT DISTINCT FROM r.{c}" for c in columns)

    cols = ", ".join(f"r.{c}" for c in ["source_row"] + [c for c, _ in stored_columns(dataset)])
    table = dataset.name
    return con.execute(
        f"""SELECT {cols} FROM {table} r
            WHERE r.replaced_by = $n
              AND NOT EXISTS (SELECT 1 FROM {table} n WHERE n.batch_id = $n AND n.replaced_by IS NOT NULL
                              AND (({same("n", dataset.slice)}) OR ({same("n", dataset.key)})))
              AND NOT EXISTS (SELECT 1 FROM {table} l WHERE l.batch_id > $n AND {same("l", dataset.slice)})
              AND NOT EXISTS (SELECT 1 FROM {table} c WHERE c.replaced_by IS NULL AND c.batch_id <> $n
                              AND {same("c", dataset.key)})
            ORDER BY r.source_row""",
        {"n": batch_id},
    ).df()


def _database(con: duckdb.DuckDBPyConnection) -> str:
    return '"' + con.execute("SELECT current_database()").fetchall()[0][0].replace('"', '""') + '".main'


def _freeze(con: duckdb.DuckDBPyConnection, version: int) -> None:
    db = _database(con)
    con.execute(f"CREATE OR REPLACE TEMP VIEW batches AS SELECT * FROM {db}.batches WHERE batch_id <= {version}")
    for name in DATASETS:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * REPLACE "
            f"(CASE WHEN replaced_by <= {version} THEN replaced_by END AS replaced_by) "
            f"FROM {db}.{name} WHERE batch_id <= {version}"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW current_{name} AS SELECT * EXCLUDE (replaced_by) FROM temp.main.{name} "
            f"WHERE replaced_by IS NULL"
        )


def _checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """Fold the write-ahead log into the file after a commit, when no other write is under way.

    The commit is already durable in the WAL; while another session writes (an audit line, a
    sign-in) DuckDB refuses a CHECKPOINT, and a later one, or DuckDB itself, does it instead.
    """
    with suppress(duckdb.TransactionException):
        con.execute("CHECKPOINT")


def _check_units(con: duckdb.DuckDBPyConnection, name: str, covered: str, units: set[str]) -> None:
    """Refuse rows of other units, written or replaced (a key shared with another township's row)."""
    allowed = list(units)
    marks = ", ".join("?" for _ in allowed)
    foreign_new = con.execute(f"SELECT count(*) FROM incoming WHERE township NOT IN ({marks})", allowed).fetchall()[0][
        0
    ]
    foreign_old = con.execute(
        f"SELECT count(*) FROM {name} AS t WHERE {covered} AND t.township NOT IN ({marks})", allowed
    ).fetchall()[0][0]
    if foreign_new or foreign_old:
        raise PermissionError(f"{foreign_new + foreign_old} rows belong to other reporting units")


class Reader:
    """One connection for a group of read queries (a metric computation).

    A statement asked twice with the same parameters (two KPIs built on the same sums) runs
    once: the answer is remembered for the life of the reader and handed out as a copy.
    ``executed`` lists the statements that reached DuckDB, in order (benchmarks replay them).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.executed: list[tuple[str, list[Any]]] = []
        self._answers: dict[tuple[str, Any], pd.DataFrame] = {}

    def df(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        key = (sql, _hashable(params or []))
        if key not in self._answers:
            self.executed.append((sql, params or []))
            self._answers[key] = self.con.execute(sql, params or []).df()
        return self._answers[key].copy()

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        self.executed.append((sql, params or []))
        rows = self.con.execute(sql, params or []).fetchall()
        return rows[0][0] if rows else None

    @contextmanager
    def table(self, name: str, frame: pd.DataFrame) -> Iterator[None]:
        """A DataFrame visible to SQL as ``name`` for the duration of the block."""
        self._answers.clear()  # a statement may read the registered table: earlier answers do not apply
        self.con.register(name, frame)
        try:
            yield
        finally:
            self.con.unregister(name)
            self._answers.clear()


def _hashable(value: Any) -> Any:
    """Parameters as a dictionary key (a list parameter becomes a tuple). A flat list (a province's 1,200
    township names) is turned in one step, not element by element (0.1 s of an overview's 111 queries)."""
    if isinstance(value, list | tuple):
        flat = tuple(value)
        try:
            hash(flat)
        except TypeError:  # a list inside: turn each part
            return tuple(_hashable(v) for v in value)
        return flat
    return value
