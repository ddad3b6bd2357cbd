"""Issue 27 (等保 安全审计): every audit line sealed to the one before it; ``audit --verify`` finds an
edited, removed, reordered or hand-written line; a line that cannot be written fails its action."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reform import actions, auditchain, auth, backup, config
from reform.auth import AuthError, User
from reform.config import Config
from reform.store import Store
from tests import cli

ADMIN = User("admin", "admin")


def _lines(store: Store) -> None:
    """A few lines of every kind: an account, a refused and a right sign-in, a reset, a plain record."""
    actions.add_user(store, config.load(), ADMIN, "wang", "leader", "Wang-secret-pw")
    with pytest.raises(AuthError):
        auth.login(store, "wang", "wrong")
    auth.login(store, "wang", "Wang-secret-pw")
    actions.set_password(store, ADMIN, "wang", "Wang-reset-pw2")
    auth.record(store, "wang", "export", "ok", "pdf: 会议材料 ‘引号’ \x1f")


def _verify(target: str | Path) -> tuple[int, dict]:
    done = cli.run("--db", str(target), "audit", "--verify", "--json")
    return done.returncode, json.loads(done.stdout)


def test_a_whole_log_verifies_on_both_backends(store: Store) -> None:
    _lines(store)
    verdict = auth.verify_audit(store)
    assert verdict.ok and verdict.checked == len(auth.audit_log(store)) == 5
    assert verdict.algorithms == ("hmac-sm3",)  # the OpenSSL here offers SM3 (GB/T 32905)
    code, found = _verify(getattr(store, "url", store.path))
    assert code == 0 and found["ok"] and found["checked"] == 5 and found["last"] == verdict.last
    words = cli.run("--db", str(getattr(store, "url", store.path)), "audit", "--verify").stdout
    assert "校验通过" in words and "共校验 5 行" in words


def test_an_edited_removed_reordered_or_hand_written_line_is_named(tmp_path: Path) -> None:
    db = tmp_path / "audit.duckdb"
    store = Store(db)
    _lines(store)
    ids = list(auth.audit_log(store)["id"])[::-1]  # oldest first
    with store.writing() as con:
        con.execute("UPDATE audit SET detail = 'pdf: nothing' WHERE id = ?", [ids[4]])  # edited
    code, found = _verify(db)
    assert code == 1 and [(b["id"], b["problem"]) for b in found["breaks"]] == [(ids[4], "broken")]
    words = cli.run("--db", str(db), "audit", "--verify").stdout
    assert f"第 {ids[4]} 行：校验值不符" in words and "校验未通过：发现 1 处问题" in words
    with store.writing() as con:
        con.execute("UPDATE audit SET detail = 'pdf: 会议材料 ‘引号’ \x1f' WHERE id = ?", [ids[4]])  # put back
    assert _verify(db)[0] == 0
    with store.writing() as con:  # two lines swap places (their ids stay)
        first = con.execute("SELECT * FROM audit WHERE id = ?", [ids[1]]).fetchall()[0]
        second = con.execute("SELECT * FROM audit WHERE id = ?", [ids[2]]).fetchall()[0]
        con.execute("DELETE FROM audit WHERE id IN (?, ?)", [ids[1], ids[2]])
        con.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?)", [ids[1], *second[1:]])
        con.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?)", [ids[2], *first[1:]])
    assert [b["id"] for b in _verify(db)[1]["breaks"]] == [ids[1], ids[2]]
    with store.writing() as con:  # swapped back, then one line removed (its seal left) and one with its seal
        con.execute("DELETE FROM audit WHERE id IN (?, ?)", [ids[1], ids[2]])
        con.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?)", list(first))
        con.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?)", list(second))
        con.execute("DELETE FROM audit WHERE id = ?", [ids[1]])
        con.execute("DELETE FROM audit WHERE id = ?", [ids[3]])
        con.execute("DELETE FROM audit_chain WHERE id = ?", [ids[3]])
        con.execute(  # and one written by hand
            "INSERT INTO audit VALUES (?, now()::TIMESTAMP, 'someone', 'login', 'ok', 'ok')", [ids[4] + 100]
        )
    breaks = [(b["id"], b["problem"]) for b in _verify(db)[1]["breaks"]]
    assert breaks == [(ids[1], "removed"), (ids[4], "broken"), (ids[4] + 100, "unsealed")]


def test_lines_from_before_the_chain_are_sealed_at_the_next_write(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    store = Store(db)
    _lines(store)
    with store.writing() as con:
        con.execute("DELETE FROM audit_chain")  # as a store written by the version before the chain
    assert {b.problem for b in auth.verify_audit(store).breaks} == {"unsealed"}
    auth.record(store, "admin", "export", "ok", "xlsx")
    verdict = auth.verify_audit(store)
    assert verdict.ok and verdict.checked == 6


def test_a_line_that_cannot_be_sealed_fails_its_action(tmp_path: Path, cfg: Config) -> None:
    """The installation's key unreadable: no account is made, no sign-in succeeds, nothing half done."""
    db = tmp_path / "keyless.duckdb"
    store = Store(db)
    actions.add_user(store, cfg, ADMIN, "wang", "leader", "Wang-secret-pw")
    backup.key_path(db).write_text("not a key", encoding="ascii")
    with pytest.raises(backup.BackupError):
        actions.add_user(store, cfg, ADMIN, "zhou", "leader", "Zhou-secret-pw")
    with pytest.raises(backup.BackupError):
        auth.login(store, "wang", "Wang-secret-pw")
    assert list(auth.users(store)["name"]) == ["wang"]
    assert len(auth.audit_log(store)) == 1


def test_the_chain_travels_with_a_backup_and_to_another_server(target: str | Path, tmp_path: Path) -> None:
    store = Store(target)
    _lines(store)
    code, found = _verify(target)  # another process (on PostgreSQL: another server, its own replica)
    assert code == 0 and found["checked"] == 5
    backup.backup(store, tmp_path / "b")
    restored = tmp_path / "restored.duckdb"
    backup.key_path(restored).write_bytes(backup.key_path(getattr(store, "url", store.path)).read_bytes())
    backup.restore(tmp_path / "b", restored)
    verdict = auth.verify_audit(Store(restored))
    assert verdict.ok and verdict.checked == 5


def test_sealing_names_its_algorithm_and_sha256_checks_too() -> None:
    body = auditchain.canonical(1, "2026-12-07 10:00:00", "wang", "login", "ok", "ok")
    sm3 = auditchain.mac(b"k" * 32, "hmac-sm3", auditchain.GENESIS, body)
    sha = auditchain.mac(b"k" * 32, "hmac-sha256", auditchain.GENESIS, body)
    assert len(sm3) == len(sha) == 64 and sm3 != sha
    assert auditchain.mac(b"k" * 32, "hmac-sm3", auditchain.GENESIS, body + b"!") != sm3
    assert auditchain.mac(b"j" * 32, "hmac-sm3", auditchain.GENESIS, body) != sm3
