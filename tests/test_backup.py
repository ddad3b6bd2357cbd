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


def _resign_without_key(out: Path, change) -> None:
    """What an attacker with write access to the backup can do: change it and recompute every SHA-256."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    for entry in manifest["tables"].values():
        if (out / entry["file"]).exists():
            entry["sha256"] = backup._sha256(out / entry["file"])
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_a_tampered_backup_with_recomputed_hashes_is_refused(busy_store: Store, tmp_path: Path) -> None:
    """Issue 11, finding 6: an admin added to users.parquet, hashes recomputed, restore accepted it."""
    import duckdb

    out = tmp_path / "backup"
    backup.backup(busy_store, out)
    users = out / "users.parquet"
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE u AS SELECT * FROM read_parquet(?) UNION ALL "
        "SELECT * REPLACE ('intruder' AS name) FROM read_parquet(?) LIMIT 2",
        [str(users), str(users)],
    )
    con.table("u").write_parquet(str(users))
    con.close()

    def fix_counts(manifest: dict) -> None:
        manifest["tables"]["users"]["rows"] = 2
        manifest["tables"]["users"]["content"] = "forged"

    _resign_without_key(out, fix_counts)
    target = tmp_path / "restored.duckdb"
    result = cli("--db", str(target), "restore", "--from", str(out))
    assert result.returncode == 1 and "signature does not verify" in result.stderr
    assert "Traceback" not in result.stderr
    assert not target.exists() or Store(target).data_version() == 0


def test_a_manifest_with_sql_in_a_table_name_runs_nothing(busy_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "backup"
    backup.backup(busy_store, out)
    planted = tmp_path / "planted.csv"
    evil = f"users SELECT 1; COPY (SELECT 42) TO '{planted}'; --"

    def add_evil(manifest: dict) -> None:
        manifest["tables"][evil] = dict(manifest["tables"]["users"], file="users.parquet")

    _resign_without_key(out, add_evil)
    with pytest.raises(backup.BackupError, match="signature"):
        backup.restore(out, tmp_path / "r1.duckdb")
    # Even signed with the right key (an insider with the key), the name never reaches SQL.
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["hmac"] = backup._signature(manifest, backup.signing_key(busy_store.path))
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(backup.BackupError, match="tables this product does not have"):
        backup.restore(out, tmp_path / "r2.duckdb")
    assert not planted.exists()


def test_the_key_lives_outside_the_backup_with_mode_0600(busy_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "backup"
    backup.backup(busy_store, out)
    key = backup.key_path(busy_store.path)
    assert key.exists() and (key.stat().st_mode & 0o777) == 0o600
    assert not any(p.name == key.name for p in out.iterdir())
    elsewhere = tmp_path / "other-machine"
    elsewhere.mkdir()
    result = cli("--db", str(elsewhere / "r.duckdb"), "restore", "--from", str(out))
    assert result.returncode == 1 and "no backup key" in result.stderr
    ok = cli("--db", str(elsewhere / "r.duckdb"), "restore", "--from", str(out), "--key", str(key))
    assert ok.returncode == 0, ok.stderr


def test_review_steps_and_explanations_survive_a_restore_and_go_on(
    sample_copy: Path, cfg: Config, tmp_path: Path
) -> None:
    """Review records and soft-rule explanations are backed up; after a restore the next review step
    takes a new id (the sequence continues after the restored ones)."""
    from dataclasses import replace

    from reform import actions, review
    from reform.review import Step

    store = Store(sample_copy)
    cfg = replace(cfg.with_database(sample_copy), review_required=True)
    clerk = auth.User("luotang", "township", "罗塘街道")
    text = "镇街,年度,经费类型,金额（元）\n罗塘街道,2025,青少年发展专项,1万\n".encode("gbk")  # 0.60 against 2.95
    report = ingest.validate(text, "经费.csv", cfg, store=store)
    batch = actions.upload(store, cfg, clerk, report, explanations={"per_head_funding_change": "年底拨付"}).batch_id
    review.submit_batch(store, cfg, clerk, int(batch))
    out, target = tmp_path / "backup", tmp_path / "restored.duckdb"
    assert cli("--db", str(store.path), "backup", "--out", str(out)).returncode == 0
    assert cli("--db", str(target), "restore", "--from", str(out)).returncode == 0
    restored = Store(target)
    assert restored.query("SELECT text FROM explanations")["text"].tolist() == ["年底拨付"]
    key = '{"township":"罗塘街道","year":2025}'
    review.take(
        restored, cfg.with_database(target), auth.User("district", "district"), [Step("funding", key, "approve")]
    )
    assert review.states(restored, "funding").set_index("slice").at[key, "state"] == "approved"
