"""Backup and restore: a consistent copy of every table with a manifest of row counts and checksums.

A backup reads all tables in one transaction (one snapshot, while the app keeps
running) into Parquet files, and writes ``manifest.json``: per table its rows, the
file's SHA-256 and a content checksum computed by DuckDB over the rows. A restore
checks every file against the manifest, loads them into a new database file beside
the target, checks the rows again, and only then moves it into place. It never
overwrites a database that holds data.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from reform.store import SCHEMA_VERSION, Store, schema_sql

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why."""


def tables(store: Store) -> list[str]:
    with store.connect() as con:
        rows = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()
    return [r[0] for r in rows]


def content_checksum(con: Any, table: str) -> str:
    """An order-independent checksum of a table's rows, the same for the same rows in any file."""
    value = con.execute(f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {table} t").fetchall()[0]
    return f"{value[0]}:{value[1]}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(store: Store, out: Path) -> dict[str, Any]:
    """Write every table of the store into ``out`` (new or empty) with its manifest."""
    store.init()
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise BackupError(f"{out} is not empty")
    names = tables(store)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "created_at": datetime.now().isoformat(timespec="seconds"),
        "tables": {},
    }
    with store.connect() as con:
        con.execute("BEGIN TRANSACTION")  # one snapshot for every table
        manifest["data_version"] = int(con.execute("SELECT coalesce(max(batch_id), 0) FROM batches").fetchall()[0][0])
        for name in names:
            target = out / f"{name}.parquet"
            con.execute(f"COPY (SELECT * FROM {name}) TO '{target}' (FORMAT parquet)")
            rows, _ = content_checksum(con, name).split(":", 1)
            manifest["tables"][name] = {"file": target.name, "rows": int(rows), "content": content_checksum(con, name)}
        con.execute("COMMIT")
    for entry in manifest["tables"].values():
        entry["sha256"] = _sha256(out / entry["file"])
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def _check_files(source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"no readable {MANIFEST} in {source}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    for name, entry in manifest["tables"].items():
        if _sha256(source / entry["file"]) != entry["sha256"]:
            raise BackupError(f"{entry['file']} does not match its checksum: the backup of {name} is damaged")
    return manifest


def restore(source: Path, target: Path) -> dict[str, Any]:
    """Load a checked backup into ``target``, which must not hold data yet."""
    manifest = _check_files(source)
    if target.exists() and Store(target).data_version() > 0:
        raise BackupError(f"{target} already holds data; restore into a new file")
    staging = target.with_name(target.name + ".restoring")
    for leftover in (staging, Path(f"{staging}.wal")):
        leftover.unlink(missing_ok=True)
    store = Store(staging)
    with store.writing() as con:
        con.execute("BEGIN TRANSACTION")
        for statement in schema_sql(audit_start=_next_audit_id(source, manifest)):
            con.execute(statement)
        for name, entry in manifest["tables"].items():
            con.execute(f"INSERT INTO {name} SELECT * FROM read_parquet('{source / entry['file']}')")
        for name, entry in manifest["tables"].items():
            if content_checksum(con, name) != entry["content"]:
                con.execute("ROLLBACK")
                raise BackupError(f"{name}: restored rows differ from the backup")
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    os.replace(staging, target)
    return manifest


def _next_audit_id(source: Path, manifest: dict[str, Any]) -> int:
    """Audit ids continue after the highest restored one."""
    entry = manifest["tables"].get("audit")
    if not entry:
        return 1
    con = duckdb.connect()
    try:
        top = con.execute(f"SELECT coalesce(max(id), 0) FROM read_parquet('{source / entry['file']}')").fetchall()[0][0]
    finally:
        con.close()
    return int(top) + 1
