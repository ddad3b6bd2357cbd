"""Backup and restore: a consistent copy of every table with a signed manifest of counts and checksums.

A backup reads all tables in one transaction (one snapshot, while the app keeps
running) into Parquet files, and writes ``manifest.json``: per table its rows, the
file's SHA-256 and a content checksum computed by DuckDB over the rows, and an
HMAC-SHA-256 over all of it with a key kept outside the backup (``reform-backup.key``
beside the database, mode 0600, made on first use; or ``REFORM_BACKUP_KEY``). Whoever
can edit a backup cannot recompute that HMAC, so an added admin or deleted audit lines
are refused. A restore verifies the HMAC first, accepts only the declared tables under
their own file names (no name from a manifest reaches SQL text), checks every file and
the rows again, and only then moves the new file into place. It never overwrites a
database that holds data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import duckdb

from reform import clock
from reform.keys import KEY_ENV, KEY_FILE, BackupError, key_path, signing_key  # noqa: F401 - named here too
from reform.store import SCHEMA_VERSION, Store, declared_tables, schema_sql

MANIFEST = "manifest.json"
FORMAT = 2  # 2: the manifest carries an HMAC


def _home(store: Store) -> Path | str:
    """What the store's key belongs to: its file, or its PostgreSQL URL."""
    return getattr(store, "url", store.path)


def _signature(manifest: dict[str, Any], key: bytes) -> str:
    body = {k: v for k, v in manifest.items() if k != "hmac"}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def tables(store: Store) -> list[str]:
    """The store's tables that a backup holds: the declared ones (anything else is not ours)."""
    with store.connect() as con:
        rows = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()
    declared = declared_tables()
    return [r[0] for r in rows if r[0] in declared]


def content_checksum(con: Any, table: str) -> str:
    """An order-independent checksum of a table's rows, the same for the same rows in any file."""
    if table not in declared_tables():
        raise BackupError(f"{table!r} is not a table of this product")
    value = con.execute(f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {table} t").fetchall()[0]
    return f"{value[0]}:{value[1]}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(store: Store, out: Path, key_file: Path | None = None) -> dict[str, Any]:
    """Write every table of the store into ``out`` (new or empty) with its signed manifest."""
    key = signing_key(_home(store), key_file, create=True)
    store.init()
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise BackupError(f"{out} is not empty")
    names = tables(store)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "created_at": clock.now().isoformat(timespec="seconds") + "Z",
        "tables": {},
    }
    with store.connect() as con:
        con.execute("BEGIN TRANSACTION")  # one snapshot for every table
        manifest["data_version"] = int(con.execute("SELECT coalesce(max(batch_id), 0) FROM batches").fetchall()[0][0])
        for name in names:
            target = out / f"{name}.parquet"
            con.table(name).write_parquet(str(target))  # the path never enters SQL text
            rows, _ = content_checksum(con, name).split(":", 1)
            manifest["tables"][name] = {"file": target.name, "rows": int(rows), "content": content_checksum(con, name)}
        con.execute("COMMIT")
    for entry in manifest["tables"].values():
        entry["sha256"] = _sha256(out / entry["file"])
    manifest["hmac"] = _signature(manifest, key)
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def _check_files(source: Path, key: bytes) -> dict[str, Any]:
    """The manifest, once its HMAC verifies and every table and file in it is one of ours, unaltered."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"no readable {MANIFEST} in {source}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(f"unknown backup format {found!r}")
    if not hmac.compare_digest(str(manifest.get("hmac", "")), _signature(manifest, key)):
        raise BackupError("the manifest's signature does not verify: the backup was altered or made with another key")
    declared = declared_tables()
    entries = manifest.get("tables")
    if not isinstance(entries, dict) or not set(entries) <= declared:
        raise BackupError("the manifest names tables this product does not have")
    for name, entry in entries.items():
        if entry.get("file") != f"{name}.parquet" or not (source / entry["file"]).is_file():
            raise BackupError(f"the backup of {name} is missing or misnamed")
        if _sha256(source / entry["file"]) != entry["sha256"]:
            raise BackupError(f"{entry['file']} does not match its checksum: the backup of {name} is damaged")
    return manifest


def restore(source: Path, target: Path | str, key_file: Path | None = None) -> dict[str, Any]:
    """Load a verified backup into ``target``, which must not hold data yet (a new DuckDB file, or an
    empty PostgreSQL database: the backup is loaded into a DuckDB file first, then copied over)."""
    manifest = _check_files(source, signing_key(target, key_file))
    if isinstance(target, str):
        with tempfile.TemporaryDirectory(prefix="reform-restore-") as tmp:
            staged = Path(tmp) / "staged.duckdb"
            _restore_file(source, staged, manifest)
            try:
                Store(target).load_from(staged)
            except ValueError as exc:
                raise BackupError(str(exc)) from None
        return manifest
    if target.exists() and Store(target).data_version() > 0:
        raise BackupError(f"{target} already holds data; restore into a new file")
    _restore_file(source, target, manifest)
    return manifest


def _restore_file(source: Path, target: Path, manifest: dict[str, Any]) -> None:
    staging = target.with_name(target.name + ".restoring")
    for leftover in (staging, Path(f"{staging}.wal")):
        leftover.unlink(missing_ok=True)
    store = Store(staging)
    with store.writing() as con:
        con.execute("BEGIN TRANSACTION")
        starts = {
            "audit_start": _next_id(source, manifest, "audit"),
            "review_start": _next_id(source, manifest, "reviews"),
        }
        for statement in schema_sql(**starts):
            con.execute(statement)
        for name, entry in manifest["tables"].items():
            con.execute(f"INSERT INTO {name} SELECT * FROM read_parquet(?)", [str(source / entry["file"])])
        for name, entry in manifest["tables"].items():
            if content_checksum(con, name) != entry["content"]:
                con.execute("ROLLBACK")
                raise BackupError(f"{name}: restored rows differ from the backup")
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    os.replace(staging, target)


def _next_id(source: Path, manifest: dict[str, Any], table: str) -> int:
    """Ids (audit lines, review steps) continue after the highest restored one."""
    entry = manifest["tables"].get(table)
    if not entry:
        return 1
    con = duckdb.connect()
    try:
        top = con.execute("SELECT coalesce(max(id), 0) FROM read_parquet(?)", [str(source / entry["file"])]).fetchall()
    finally:
        con.close()
    return int(top[0][0]) + 1
