"""Backup and restore drill: the restored store's figures and checksums equal the original's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reform import auth, backup, ingest
from reform.config import Config
from reform.store import Store

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reform", *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def busy_store(sample_copy: Path, cfg: Config) -> Store:
    """The sample plus an upload, a rollback, an account and audit lines: every table has rows."""
    store = Store(sample_copy)
    store.commit(
        ingest.validate("镇街,年度,经费类型,金额（元）\n溱潼镇,2025,青少年发展专项,1.5万\n".encode(), "f.csv", cfg),
        "clerk",
    )
    store.undo(7, "admin")
    auth.add_user(store, cfg, "admin", "admin", "Admin-secret-pw")
    auth.record(store, "admin", "login")
    return store


def test_backup_and_restore_drill(busy_store: Store, tmp_path: Path) -> None:
    out, target = tmp_path / "backup", tmp_path / "restored.duckdb"
    made = cli("--db", str(busy_store.path), "backup", "--out", str(out))
    assert made.returncode == 0, made.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["data_version"] == 8
    assert {"batches", "users", "audit", "staffing", "funding"} <= set(manifest["tables"])
    assert all(len(e["sha256"]) == 64 for e in manifest["tables"].values())
    restored = cli("--db", str(target), "restore", "--from", str(out))
    assert restored.returncode == 0, restored.stderr
    before = json.loads(cli("--db", str(busy_store.path), "kpis", "--json").stdout)
    after = json.loads(cli("--db", str(target), "kpis", "--json").stdout)
    assert after == before
    with busy_store.connect() as a, Store(target).connect() as b:
        for name in manifest["tables"]:
            assert backup.content_checksum(a, name) == backup.content_checksum(b, name), name
    auth.record(Store(target), "admin", "after-restore")  # audit ids continue after the restored ones
    assert auth.audit_log(Store(target))["id"].is_unique


def test_a_damaged_backup_is_refused_and_nothing_is_written(busy_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "backup"
    backup.backup(busy_store, out)
    with (out / "funding.parquet").open("r+b") as handle:
        handle.seek(40)
        handle.write(b"\x00\x01\x02")
    target = tmp_path / "restored.duckdb"
    with pytest.raises(backup.BackupError, match=r"funding\.parquet does not match its checksum"):
        backup.restore(out, target)
    assert not target.exists()


def test_restore_never_overwrites_stored_data(busy_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "backup"
    backup.backup(busy_store, out)
    version = busy_store.data_version()
    result = cli("--db", str(busy_store.path), "restore", "--from", str(out))
    assert result.returncode == 1 and "already holds data" in result.stderr
    assert busy_store.data_version() == version
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.backup(busy_store, out)
