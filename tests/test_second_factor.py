"""Issue 27 (等保 level 3, 身份鉴别 d): one-time codes (RFC 6238) as a second factor for chosen roles:
enrolment by QR code, a code used once, recovery codes, the lock, and the sign-in in the real app."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from reform import auth, config, totp
from reform.auth import AuthError
from reform.config import Config
from reform.limits import Security
from reform.store import Store

ROOT = Path(__file__).resolve().parent.parent


def test_codes_are_those_of_rfc_6238() -> None:
    secret = base64.b32encode(b"12345678901234567890").decode()  # RFC 6238 appendix B, SHA-1
    assert [totp.code(secret, t // 30, 8) for t in (59, 1111111109, 1234567890, 20000000000)] == [
        "94287082",
        "07081804",
        "89005924",
        "65353130",
    ]
    assert totp.code(secret, 59 // 30) == "287082"  # six digits: the last six
    uri = totp.uri(secret, "王 伟", "姜堰区")
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri and "%E7%8E%8B" in uri


def test_enrolment_codes_once_recovery_and_lock(store: Store, cfg: Config) -> None:
    auth.add_user(store, cfg, "sys", "sysadmin", "Sys-secret-pw1")
    secret, now = totp.new_secret(), time.time()
    step = int(now // 30)
    with pytest.raises(AuthError):
        auth.enrol(store, "sys", secret, "000000" if totp.code(secret, step) != "000000" else "111111", now)
    codes = auth.enrol(store, "sys", secret, totp.code(secret, step), now)
    assert auth.enrolled(store, "sys") and len(set(codes)) == 10
    kept = store.query("SELECT secret, recovery FROM second_factor").iloc[0]
    assert secret not in kept["secret"] and codes[0] not in kept["recovery"]  # encrypted / hashed
    assert not auth.check_code(store, "sys", totp.code(secret, step), now)  # used at enrolment: never again
    assert auth.check_code(store, "sys", totp.code(secret, step + 1), now + 30)
    assert not auth.check_code(store, "sys", totp.code(secret, step + 1), now + 30)  # nor this one
    assert auth.check_code(store, "sys", codes[3].lower(), now + 60)  # a recovery code, as typed
    assert not auth.check_code(store, "sys", codes[3], now + 60)  # … once
    rule = Security(lock_failures=3)
    for _ in range(3):
        assert not auth.check_code(
            store, "sys", "123456" if totp.code(secret, step + 4) != "123456" else "654321", now + 120, rule
        )
    assert not auth.check_code(store, "sys", totp.code(secret, step + 4), now + 120, rule)  # locked: even right
    assert auth.unlock(store, "sys")  # the security administrator lifts it
    assert auth.check_code(store, "sys", totp.code(secret, step + 5), now + 150, rule)
    outcomes = list(auth.audit_log(store).query("action == 'second_factor'")["detail"])[::-1]
    # the used recovery code was the first failure since the last right code: the third is the lock
    assert outcomes == [
        *("wrong_code", "ok", "wrong_code", "recovery_code", "wrong_code"),
        *("wrong_code", "wrong_code", "locked", "locked", "ok"),
    ]
    assert auth.reset_second_factor(store, "sys", audit=("os:root", "second_factor_reset"))
    assert not auth.enrolled(store, "sys")


def test_a_sign_in_asks_for_the_code_and_shows_nothing_before(tmp_path: Path, cfg: Config, monkeypatch) -> None:
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    data["security"]["second_factor"] = ["sysadmin", "secadmin", "auditor", "admin"]
    data["storage"]["sample_dir"] = str(ROOT / "data" / "sample")
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("REFORM_CONFIG", str(tmp_path / "config.yaml"))
    db = tmp_path / "db.duckdb"
    monkeypatch.setenv("REFORM_DB", str(db))
    store = Store(db)
    auth.add_user(store, config.load(), "sys", "sysadmin", "Sys-secret-pw1")

    def sign_in() -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
        at.text_input(key="auth.name").input("sys")
        at.text_input(key="auth.password").input("Sys-secret-pw1")
        return next(b for b in at.button if b.label == "登录").click().run()

    at = sign_in()
    assert at.title[0].value == "请输入动态口令" and len(at.get("image")) == 1  # the QR code to scan,
    assert "data:image/png;base64," in str(at.get("image")[0].proto)  # inline: no media before the code
    at.switch_page("app_pages/users.py").run()
    assert at.title[0].value == "请输入动态口令"  # nothing before the code
    secret = at.session_state["auth.enrolling"]
    at.text_input(key="auth.enrol_code").input(totp.code(secret, int(time.time() // 30)))
    next(b for b in at.button if b.label == "绑定手机").click().run()
    assert any("恢复码只显示这一次" in s.value for s in at.success) and len(at.code[0].value.split()) == 10
    at.button(key="auth.enrolled_continue").click().run()
    assert at.title[0].value == "用户管理"  # signed in
    at = sign_in()  # the next time: the code alone
    assert at.title[0].value == "请输入动态口令" and not at.get("image")
    at.text_input(key="auth.code").input("000000")
    next(b for b in at.button if b.label == "验证").click().run()
    assert any("动态口令不正确" in e.value for e in at.error)
    at.text_input(key="auth.code").input(totp.code(secret, int(time.time() // 30) + 1))
    next(b for b in at.button if b.label == "验证").click().run()
    assert at.title[0].value == "改革总览" and at.metric  # signed in, on the overview
    from reform import compliance

    found = {f.key: f.status for f in compliance.check(config.load(), store, 3)}
    assert found["identity_d"] == "pass"


def test_one_code_sent_twice_at_once_signs_in_once(store: Store, cfg: Config) -> None:
    """The same code in parallel attempts (a replayed request): exactly one is taken."""
    auth.add_user(store, cfg, "aud", "auditor", "Aud-secret-pw1")
    secret, now = totp.new_secret(), time.time()
    step = int(now // 30)
    auth.enrol(store, "aud", secret, totp.code(secret, step), now)
    codes = auth.enrol(store, "aud", secret, totp.code(secret, step), now)  # enrolled again: new recovery codes
    for typed in (totp.code(secret, step + 1), codes[0]):
        assert sorted(_at_once(store, typed, now + 30)) == [False] * 5 + [True], typed


def _at_once(store: Store, typed: str, at: float, attempts: int = 6) -> list[bool]:
    import threading

    start, results = threading.Barrier(attempts), []

    def attempt() -> None:
        start.wait()
        results.append(auth.check_code(store, "aud", typed, at))

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
