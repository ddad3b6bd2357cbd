"""Issue 27 (等保 安全审计, 《网络安全法》第二十一条): audit lines stay at least 180 days; older ones are
archived by the audit administrator into a signed file that verifies on its own, never dropped."""

from __future__ import annotations

import contextlib
import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest

from reform import actions, auditarchive, auth, clock
from reform.auth import AuthError, User
from reform.config import Config
from reform.store import Store
from tests import cli

AUDITOR = User("aud", "auditor")


def _history(store: Store, cfg: Config) -> None:
    """Five sign-ins 200 days ago, then two today."""
    auth.add_user(store, cfg, "wang", "leader", "Wang-secret-pw1")
    auth.add_user(store, cfg, "aud", "auditor", "Aud-secret-pw1")
    old = clock.now() - timedelta(days=200)
    for n in range(5):
        with contextlib.suppress(AuthError):  # a wrong password: its line is what counts here
            auth.login(store, "wang", "Wang-secret-pw1" if n % 2 else "wrong", now=old + timedelta(minutes=n))
    auth.login(store, "wang", "Wang-secret-pw1")
    auth.record(store, "wang", "export", "ok", "pdf")


def test_old_lines_are_archived_verified_and_the_rest_still_chains(store: Store, cfg: Config, tmp_path: Path) -> None:
    _history(store, cfg)
    today = cfg.today()
    with pytest.raises(auditarchive.ArchiveError) as refused:
        actions.archive_audit(store, cfg, AUDITOR, tmp_path / "a", today - timedelta(days=170))
    assert refused.value.code == "archive_too_recent" and refused.value.params["days"] == 180
    done = actions.archive_audit(store, cfg, AUDITOR, tmp_path / "a", today - timedelta(days=180))
    assert (done.lines, done.last - done.first) == (5, 4)
    lines = auth.audit_log(store)
    assert list(lines["action"])[:2] == ["audit_archive", "audit_archive"]  # the refusal, then the archive
    assert len(lines) == 2 + 2 and lines["logged_at"].min() > clock.now() - timedelta(days=1)
    verdict = auth.verify_audit(store)
    assert verdict.ok and verdict.checked == 4 and verdict.anchor == done.last
    target = str(getattr(store, "url", store.path))
    assert cli.run("--db", target, "audit", "--verify").returncode == 0  # another process (on PostgreSQL: server)
    checked = cli.run("--db", target, "audit", "--verify-archive", str(done.path))
    assert checked.returncode == 0 and "共 5 行" in checked.stdout
    kept = [json.loads(line) for line in done.path.read_text(encoding="utf-8").splitlines()]
    assert [k["detail"] for k in kept] == ["wrong_password", "ok", "wrong_password", "ok", "wrong_password"]


def test_an_altered_archive_does_not_verify(tmp_path: Path, cfg: Config) -> None:
    store = Store(tmp_path / "a.duckdb")
    _history(store, cfg)
    done = actions.archive_audit(store, cfg, AUDITOR, tmp_path / "arch", cfg.today() - timedelta(days=180))
    text = done.path.read_text(encoding="utf-8")
    done.path.write_text(text.replace('"wrong_password"', '"ok"', 1), encoding="utf-8")
    failed = cli.run("--db", str(store.path), "audit", "--verify-archive", str(done.path))
    assert failed.returncode == 1 and "校验失败" in failed.stderr
    manifest = done.path.with_suffix(".manifest.json")
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["sha256"] = hashlib.sha256(done.path.read_bytes()).hexdigest()  # a forger's new digest, unsigned
    manifest.write_text(json.dumps(data), encoding="utf-8")
    assert cli.run("--db", str(store.path), "audit", "--verify-archive", str(done.path)).returncode == 1


def test_only_the_audit_administrator_archives(tmp_path: Path, cfg: Config) -> None:
    store = Store(tmp_path / "b.duckdb")
    _history(store, cfg)
    before = cfg.today() - timedelta(days=180)
    for actor in (User("os:root", "admin"), User("sys", "sysadmin"), User("sec", "secadmin")):
        with pytest.raises(actions.RefusedError):
            actions.archive_audit(store, cfg, actor, tmp_path / "x", before)
    assert not (tmp_path / "x").exists()
    refused = cli.run("--db", str(store.path), "audit", "--archive", str(tmp_path / "y"), "--before", str(before))
    assert refused.returncode == 1 and "审计管理员" in refused.stderr
    done = cli.run(
        "--db", str(store.path), "audit", "--archive", str(tmp_path / "y"), "--before", str(before), "--as", "aud"
    )
    assert done.returncode == 0 and "共 5 行" in done.stdout
    assert (auth.audit_log(store)["outcome"] == "refused").sum() == 4  # each refusal audited (the old ones archived)
