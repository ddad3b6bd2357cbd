"""Issue 27 (等保 2.0): the password rules, the lock, where administrators come from, and when a
session ends, on the real app (AppTest) and the real store on both backends."""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from reform import actions, auth, clock, config
from reform.auth import AuthError, User
from reform.config import Config
from reform.limits import Security
from reform.store import Store
from tests import test_auth
from tests.test_auth import app, sign_in

accounts_db, db = test_auth.accounts_db, test_auth.db  # the sample store with one account per role

ADMIN = User("admin", "admin")
NEW = ["Second-pw-01", "Third-pw-002", "Fourth-pw-03", "Fifth-pw-004", "Sixth-pw-005"]


def test_a_password_may_not_be_one_of_the_last_five(store: Store, cfg: Config) -> None:
    auth.add_user(store, cfg, "wang", "leader", "First-pw-000")
    me = User("wang", "leader")
    for password in NEW:  # five changes: the last five are NEW (the first one is sixth back)
        actions.set_password(store, me, "wang", password, cfg.password)
    for used in NEW:
        with pytest.raises(AuthError) as refused:
            actions.set_password(store, me, "wang", used, cfg.password)
        assert refused.value.code == "password_reused" and refused.value.params == {"count": 5}
    actions.set_password(store, me, "wang", "First-pw-000", cfg.password)  # six back: allowed again
    assert auth.login(store, "wang", "First-pw-000").name == "wang"
    refused = auth.audit_log(store).query("action == 'user_passwd' and outcome == 'refused'")
    assert list(refused["detail"]) == ["wang: password_reused"] * 5  # each refusal audited
    loose = replace(cfg.password, history=0)
    actions.set_password(store, me, "wang", "First-pw-000", loose)  # history 0: even the current one


def test_an_administrators_password_is_changed_at_first_sign_in(store: Store, cfg: Config) -> None:
    """A new account and a reset are temporary; one's own change is not; the rule can be turned off."""
    actions.add_user(store, cfg, ADMIN, "zhou", "leader", "Zhou-temp-pw1")
    zhou = auth.login(store, "zhou", "Zhou-temp-pw1")
    assert auth.must_change(zhou, cfg.password) == "temporary"
    actions.set_password(store, User("zhou", "leader"), "zhou", "Zhou-own-pw22", cfg.password)
    zhou = auth.login(store, "zhou", "Zhou-own-pw22")
    assert auth.must_change(zhou, cfg.password) is None
    actions.set_password(store, ADMIN, "zhou", "Zhou-reset-pw3", cfg.password)  # an administrator's reset
    zhou = auth.login(store, "zhou", "Zhou-reset-pw3")
    assert auth.must_change(zhou, cfg.password) == "temporary"
    assert auth.must_change(zhou, replace(cfg.password, change_temporary=False)) is None
    assert auth.audit_log(store)["detail"].iloc[0] == "ok"  # the sign-in; the reset's line says temporary
    assert "zhou (temporary)" in set(auth.audit_log(store)["detail"])


def test_a_password_older_than_ninety_days_must_be_changed(store: Store, cfg: Config) -> None:
    auth.add_user(store, cfg, "wang", "leader", "Wang-secret-pw")
    user = auth.login(store, "wang", "Wang-secret-pw")
    changed = datetime.fromisoformat(user.changed)
    assert abs(changed - clock.now()) < timedelta(seconds=5)
    assert auth.must_change(user, cfg.password, changed + timedelta(days=90)) is None
    assert auth.must_change(user, cfg.password, changed + timedelta(days=90, minutes=1)) == "expired"
    assert auth.must_change(user, replace(cfg.password, max_days=0), changed + timedelta(days=900)) is None


def test_the_lock_follows_the_configuration(store: Store, cfg: Config) -> None:
    auth.add_user(store, cfg, "wang", "leader", "Wang-secret-pw")
    rule = Security(lock_failures=3, lock_minutes=10)
    now = clock.now()
    for _ in range(3):
        with pytest.raises(AuthError) as refused:
            auth.login(store, "wang", "wrong", now, security=rule)
        assert refused.value.params == {"failures": 3, "minutes": 10}
    with pytest.raises(AuthError):
        auth.login(store, "wang", "Wang-secret-pw", now + timedelta(minutes=9), security=rule)  # locked
    assert auth.login(store, "wang", "Wang-secret-pw", now + timedelta(minutes=11), security=rule).name == "wang"
    details = list(auth.audit_log(store)["detail"])[::-1]
    assert details == ["wrong_password"] * 3 + ["locked", "ok"]


def test_administrators_sign_in_only_from_the_listed_networks(store: Store, cfg: Config) -> None:
    auth.add_user(store, cfg, "root", "admin", "Root-secret-pw")
    auth.add_user(store, cfg, "wang", "leader", "Wang-secret-pw")
    rule = cfg.security
    assert "10.0.0.0/8" in rule.admin_networks  # the default: private networks and this machine
    for address in ("10.20.30.40", "192.168.1.9", "127.0.0.1", None):
        assert auth.login(store, "root", "Root-secret-pw", address=address, security=rule).role == "admin"
    for address in ("203.0.113.5", "2001:db8::1", "not-an-address"):
        with pytest.raises(AuthError) as refused:
            auth.login(store, "root", "Root-secret-pw", address=address, security=rule)
        assert refused.value.code == "bad_login"  # the same words as a wrong password: nothing learnt
    assert auth.login(store, "wang", "Wang-secret-pw", address="203.0.113.5", security=rule).role == "leader"
    assert list(auth.audit_log(store)["detail"])[1:4] == ["admin_network"] * 3
    anywhere = replace(rule, admin_networks=())
    assert auth.login(store, "root", "Root-secret-pw", address="203.0.113.5", security=anywhere).name == "root"


# ---------------------------------------------------------------- in the app
def _must_change_page(at: AppTest) -> bool:
    return bool(at.title) and at.title[0].value == "请先修改密码"


def test_first_sign_in_after_a_reset_shows_only_the_password_change(
    db: str | Path, cfg: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    actions.set_password(Store(db), ADMIN, "leader", "Reset-by-admin1", cfg.password)
    at = sign_in(app(db, monkeypatch), "leader", "Reset-by-admin1")
    assert _must_change_page(at) and not at.metric
    assert any("管理员设置" in w.value for w in at.warning)
    at.switch_page("app_pages/funding.py").run()  # no page opens before the change
    assert _must_change_page(at) and not at.metric
    at.text_input(key="auth.must_change.old").input("Reset-by-admin1")
    at.text_input(key="auth.must_change.new").input("Reset-by-admin1")  # the same one: refused
    at.text_input(key="auth.must_change.new2").input("Reset-by-admin1")
    at.button(key="FormSubmitter:auth.must_change.password_form-修改密码").click().run()
    assert any("最近 5 次" in e.value for e in at.error) and _must_change_page(at)
    at.text_input(key="auth.must_change.old").input("Reset-by-admin1")
    at.text_input(key="auth.must_change.new").input("Leader-own-pw77")
    at.text_input(key="auth.must_change.new2").input("Leader-own-pw77")
    at.button(key="FormSubmitter:auth.must_change.password_form-修改密码").click().run()
    assert not at.exception and not _must_change_page(at)
    assert at.metric  # the overview, still signed in
    assert auth.login(Store(db), "leader", "Leader-own-pw77").temporary is False


def test_an_expired_password_is_changed_before_anything_else(db: str | Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(db).writing() as con:
        con.execute(
            "UPDATE users SET password_changed_at = ? WHERE name = 'leader'", [clock.now() - timedelta(days=91)]
        )
    at = sign_in(app(db, monkeypatch), "leader")
    assert _must_change_page(at) and not at.metric
    assert any("超过 90 天" in w.value for w in at.warning)


def test_an_idle_session_ends_and_a_long_one_too(db: str | Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = sign_in(app(db, monkeypatch), "leader")
    assert at.metric
    at.session_state["auth.seen"] = time.monotonic() - 29 * 60  # 29 minutes without use: still signed in
    at.run()
    assert at.metric
    at.session_state["auth.seen"] = time.monotonic() - 31 * 60
    at.run()
    assert at.title[0].value == "请登录" and not at.metric
    assert any("30 分钟未操作" in i.value for i in at.info)
    at = sign_in(at, "leader")
    at.session_state["auth.since"] = time.monotonic() - 8 * 3600 - 60  # used all along, signed in 8 h ago
    at.run()
    assert at.title[0].value == "请登录" and any("登录已过期" in i.value for i in at.info)
    ends = [a for a in auth.audit_log(Store(db))["action"] if a in ("idle", "expired")]
    assert ends == ["expired", "idle"]  # newest first


def test_configuration_of_security_is_checked(tmp_path: Path) -> None:
    import yaml

    from reform import config

    base = yaml.safe_load((config.ROOT / "config.yaml").read_text(encoding="utf-8"))
    cases = {
        "password_history": (25, "security.password_history"),
        "password_max_days": (-1, "security.password_max_days"),
        "password_change_temporary": ("yes", "security.password_change_temporary"),
        "lock_failures": (0, "security.lock_failures"),
        "idle_minutes": (True, "security.idle_minutes"),
        "admin_networks": (["10.0.0.0/8", "10.0.0.300/8"], "security.admin_networks[1]"),
        "session_hours": (8, "security.session_hours"),
    }
    for key, (value, named) in cases.items():
        data = yaml.safe_load(yaml.safe_dump(base))
        data["security"][key] = value
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        with pytest.raises(config.ConfigError, match=named.replace("[", r"\[").replace("]", r"\]")):
            config.load(path)
    data = yaml.safe_load(yaml.safe_dump(base))
    data["security"].update(admin_networks=["192.168.7.20"], idle_minutes=15, max_hours=12)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    loaded = config.load(path).security
    assert (loaded.admin_networks, loaded.idle_minutes, loaded.max_hours) == (("192.168.7.20/32",), 15, 12)


# ---------------------------------------------------------------- 三员分立
OPERATOR = User("os:root", "admin")  # the server's command line


def test_the_three_administrators_cannot_do_each_others_work(store: Store, cfg: Config) -> None:
    for name, role in (("sys", "sysadmin"), ("sec", "secadmin"), ("aud", "auditor")):
        actions.add_user(store, cfg, OPERATOR, name, role, f"{name.title()}-secret-pw1")
    sysadmin, secadmin, auditor = User("sys", "sysadmin"), User("sec", "secadmin"), User("aud", "auditor")
    actions.add_user(store, cfg, sysadmin, "wang", "leader", "Wang-secret-pw1")  # accounts: the system's
    with pytest.raises(AuthError) as refused:
        actions.add_user(store, cfg, sysadmin, "spy", "auditor", "Spy-secret-pw1")  # not an administrator
    assert refused.value.code == "admin_roles_by_operator"
    with pytest.raises(AuthError):
        actions.set_password(store, sysadmin, "aud", "Taken-over-pw1", cfg.password)  # nor take one over
    with pytest.raises(AuthError):
        actions.set_disabled(store, sysadmin, "sec", True)
    assert actions.creatable_roles(sysadmin, cfg) == ("leader", "township", "district")
    for actor, act in (
        (sysadmin, lambda a: actions.unlock(store, a, "wang")),  # locks: the security administrator's
        (secadmin, lambda a: actions.add_user(store, cfg, a, "x1", "leader", "Xx-secret-pw1")),
        (secadmin, lambda a: actions.set_disabled(store, a, "wang", True)),
        (auditor, lambda a: actions.set_password(store, a, "wang", "Other-secret-pw1", cfg.password)),
        (auditor, lambda a: actions.unlock(store, a, "wang")),
    ):
        with pytest.raises(actions.RefusedError):
            act(actor)
    assert actions.unlock(store, secadmin, "wang") is False  # allowed (nothing was locked)
    assert not auth.allowed(sysadmin, "audit") and not auth.allowed(secadmin, "view")
    assert [a for a in ("view", "upload", "review", "rollback", "users", "security") if auth.allowed(auditor, a)] == []
    with pytest.raises(AuthError) as refused:
        actions.add_user(store, cfg, OPERATOR, "boss", "admin", "Boss-secret-pw1")  # security.separate_admins
    assert refused.value.code == "admin_combined"
    lines = auth.audit_log(store)
    assert (lines["outcome"] == "refused").sum() == 9  # each refusal audited
    assert set(auth.users(store)["name"]) == {"sys", "sec", "aud", "wang"}


def test_a_combined_admin_is_split_into_three(store: Store, cfg: Config, capsys: pytest.CaptureFixture[str]) -> None:
    from reform import cli

    auth.add_user(store, cfg, "chen", "admin", "Chen-secret-pw1")  # from before 三员分立
    target = str(getattr(store, "url", store.path))
    assert cli.main(["--db", target, "user", "split", "chen"]) == 0
    out = capsys.readouterr().out
    made = dict(re.findall(r"已创建 (chen-\w+)（.+?），一次性密码：(\S+)（", out))
    assert set(made) == {"chen-security", "chen-audit"}
    assert auth.role_of(store, "chen") == "sysadmin"
    assert auth.role_of(store, "chen-security") == "secadmin" and auth.role_of(store, "chen-audit") == "auditor"
    auditor = auth.login(store, "chen-audit", made["chen-audit"])
    assert auth.must_change(auditor, cfg.password) == "temporary"  # handed over, then changed
    assert cli.main(["--db", target, "user", "split", "chen"]) == 1  # no longer a combined admin
    assert "不是合并的管理员" in capsys.readouterr().err
    assert {"user_add", "user_role"} <= set(auth.audit_log(store)["action"])


# ---------------------------------------------------------------- the self-check
def _compliance(target: str | Path, level: int) -> tuple[int, dict[str, dict]]:
    from tests import cli

    done = cli.run("--db", str(target), "compliance", "--level", str(level), "--json")
    return done.returncode, {f["key"]: f for f in json.loads(done.stdout)["findings"]}


def test_the_self_check_on_a_new_installation(tmp_path: Path) -> None:
    """What a new installation with the shipped configuration passes, and exactly what remains."""
    db = tmp_path / "new.duckdb"
    code, level2 = _compliance(db, 2)
    failing = {k for k, f in level2.items() if f["status"] == "fail"}
    assert failing == {"backup_b"}, failing  # off-site backups on a schedule: the next piece (issue 28)
    assert code == 1 and level2["backup_b"]["todo"]
    assert all(f["evidence"] for f in level2.values())
    code, level3 = _compliance(db, 3)
    assert {k for k, f in level3.items() if f["status"] == "fail"} == {
        "backup_b",  # as above
        "identity_d",  # a second factor for administrators
        "confidentiality_b",  # personal information encrypted at rest
        "backup_c",  # hot redundancy: the PostgreSQL store with several servers
    }
    assert set(level2) < set(level3)


def test_the_self_check_sees_a_combined_admin_and_an_altered_audit_log(tmp_path: Path, cfg: Config) -> None:
    db = tmp_path / "old.duckdb"
    store = Store(db)
    auth.add_user(store, cfg, "chen", "admin", "Chen-secret-pw1")
    auth.login(store, "chen", "Chen-secret-pw1")
    found = _compliance(db, 2)[1]
    assert found["access_d"]["status"] == "fail" and found["access_d"]["evidence"][-1] == "合并的管理员账户：chen"
    with store.writing() as con:
        assert con.execute("UPDATE audit SET detail = 'quietly' WHERE action = 'login'").fetchall()[0][0] == 1
    assert _compliance(db, 2)[1]["audit_c"]["status"] == "fail"


def test_every_test_named_as_evidence_exists() -> None:
    from reform import compliance

    root = Path(__file__).resolve().parent.parent
    named = {
        e for *_, rule in compliance.RULES for e in _evidence(rule) if isinstance(e, str) and e.startswith("tests/")
    }
    assert len(named) > 15
    for entry in named:
        path, _, test = entry.partition("::")
        assert (root / path).exists(), entry
        if test:
            assert f"def {test}(" in (root / path).read_text(encoding="utf-8"), entry


def _evidence(rule: object) -> tuple[str, ...]:
    from reform import compliance
    from reform.limits import Security as Sec

    facts = compliance.Facts(
        replace(config.load(), security=Sec()), (), (), True, 0, 0, True
    )  # any facts: the evidence a rule names does not depend on them
    return rule(facts)[1]  # type: ignore[operator]
