"""Issue 27 (等保 2.0): the password rules, the lock, where administrators come from, and when a
session ends, on the real app (AppTest) and the real store on both backends."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from reform import actions, auth, clock
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
