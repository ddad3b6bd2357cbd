"""The actions layer (issue 12): one way to change the store for the pages and the command line,
each action audited in the same transaction as its work, with the same fields from either."""

from __future__ import annotations

import getpass
import re
import shutil
from pathlib import Path

import pytest

from reform import actions, auth, ingest
from reform.config import Config
from reform.store import Store
from tests.cli import run as cli
from tests.test_auth import app, sign_in

ROOT = Path(__file__).resolve().parent.parent
FUNDING = "镇街,年度,经费类型,金额（元）\n溱潼镇,2025,青少年发展专项,1.5万\n"
UPLOAD_DETAIL = re.compile(r"^\S+\.csv \(funding\): batch \d+, 1 rows$")


def lines(store: Store):
    return auth.audit_log(store, 1000).sort_values("id")


def test_commit_and_audit_line_land_together_or_not_at_all(sample_copy: Path, cfg: Config) -> None:
    store = Store(sample_copy)
    report = ingest.validate(FUNDING.encode(), "f.csv", cfg)
    version, audited = store.data_version(), len(lines(store))
    with pytest.raises(Exception, match="NOT NULL"):  # the audit line cannot be written: nothing lands
        store.commit(report, "x", audit=lambda result: ("x", None, "ok", "no action"))  # type: ignore[arg-type]
    assert store.data_version() == version and len(lines(store)) == audited
    with pytest.raises(PermissionError):  # the work is refused: no "ok" line either
        store.commit(report, "x", units={"罗塘街道"}, audit=lambda result: ("x", "upload", "ok", "should not be"))
    assert store.data_version() == version and "should not be" not in set(lines(store)["detail"])
    done = store.commit(report, "x", audit=lambda result: ("x", "upload", "ok", f"batch {result.batch_id}"))
    last = lines(store).iloc[-1]
    assert (last["action"], last["detail"]) == ("upload", f"batch {done.batch_id}")


def test_a_role_without_the_permission_is_refused_and_audited(sample_copy: Path, cfg: Config) -> None:
    store = Store(sample_copy)
    leader = auth.add_user(store, cfg, "lead", "leader", "Leader-secret-pw")
    with pytest.raises(actions.RefusedError, match="forbidden"):
        actions.rollback(store, leader, 6)
    with pytest.raises(actions.RefusedError, match="forbidden"):
        actions.upload(store, cfg, leader, ingest.validate(FUNDING.encode(), "f.csv", cfg))
    refused = lines(store)
    refused = refused[refused["outcome"] == "refused"]
    assert list(refused["action"]) == ["rollback", "upload"] and set(refused["user_name"]) == {"lead"}
    assert store.data_version() == 6


def test_cli_actions_are_audited_like_the_page(sample_copy: Path, cfg: Config, tmp_path: Path, monkeypatch) -> None:
    db = str(sample_copy)
    store = Store(sample_copy)
    auth.add_user(store, cfg, "clerk", "township", "Clerk-secret-pw1", "溱潼镇")
    # through the page, as the clerk
    page_db = tmp_path / "page.duckdb"
    shutil.copy(sample_copy, page_db)
    at = sign_in(app(page_db, monkeypatch), "clerk", "Clerk-secret-pw1")
    at.switch_page("app_pages/upload.py").run()
    at.file_uploader(key="upload.file").upload("经费.csv", FUNDING.encode(), "text/csv").run()
    at.button(key="upload.commit").click().run()
    page_line = lines(Store(page_db)).iloc[-1]
    # the same file through the command line, as the same account
    path = tmp_path / "经费.csv"
    path.write_text(FUNDING, encoding="utf-8")
    assert cli("--db", db, "ingest", str(path), "--as", "clerk").returncode == 0
    cli_line = lines(store).iloc[-1]
    for line in (page_line, cli_line):
        assert (line["user_name"], line["action"], line["outcome"]) == ("clerk", "upload", "ok")
        assert UPLOAD_DETAIL.match(line["detail"]), line["detail"]
    # the other actions, without --as: the operating-system user, recorded as such
    operator = f"os:{getpass.getuser()}"
    version = store.data_version()
    assert cli("--db", db, "rollback", str(version)).returncode == 0
    assert cli("--db", db, "restore", str(version)).returncode == 0
    pw = "Another-secret-pw\nAnother-secret-pw\n"
    assert cli("--db", db, "user", "add", "li", "--role", "leader", stdin=pw).returncode == 0
    assert cli("--db", db, "user", "disable", "li").returncode == 0
    assert cli("--db", db, "user", "enable", "li").returncode == 0
    assert cli("--db", db, "user", "passwd", "li", stdin=pw).returncode == 1  # not one of the last 5
    assert cli("--db", db, "user", "passwd", "li", stdin="Reset-secret-pw2\nReset-secret-pw2\n").returncode == 0
    tail = lines(store).iloc[-7:]
    assert list(tail["action"]) == [
        "rollback",
        "restore",
        "user_add",
        "user_disable",
        "user_enable",
        "user_passwd",
        "user_passwd",
    ]
    assert set(tail["user_name"]) == {operator} and list(tail["outcome"]) == ["ok"] * 5 + ["refused", "ok"]
    assert tail.iloc[5]["detail"] == "li: password_reused" and tail.iloc[6]["detail"] == "li (temporary)"
    assert tail.iloc[0]["detail"] == f"batch {version} -> batch {version + 1}, 1 rows"


def test_as_must_name_an_existing_account(sample_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(FUNDING, encoding="utf-8")
    result = cli("--db", str(sample_copy), "ingest", str(path), "--as", "nobody")
    assert result.returncode == 1 and "no such enabled account" in result.stderr
    assert Store(sample_copy).data_version() == 6
