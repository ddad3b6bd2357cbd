"""The server's guard on the real server (issue 11, findings 7 and 10): sessions bound to the browser that
signed in, no uploads into sessions nobody signed in to, downloads only for signed-in browsers, headers.

Sessions are driven over the websocket as a browser does (tests/wsclient.py), which is how an
attacker who has read a session id from a proxy log would try it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus

from reform import auth
from reform.config import Config
from reform.store import Store
from tests import wsclient
from tests.e2e.conftest import serve

PASSWORD = "Admin-secret-pw"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory, sample_db: Path, cfg: Config) -> Iterator[str]:
    db = tmp_path_factory.mktemp("guard") / "guard.duckdb"
    shutil.copy(sample_db, db)
    auth.add_user(Store(db), cfg, "admin", "admin", PASSWORD)
    process, url = serve(db)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_every_response_carries_security_headers_and_an_httponly_browser_cookie(guarded: str) -> None:
    for path in ("/", "/_stcore/health", "/upload"):
        status, headers, _ = wsclient.get(guarded, path)
        assert status == 200
        lowered = {k.lower(): v for k, v in headers.items()}
        assert lowered["x-frame-options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in lowered["content-security-policy"]
        assert "connect-src 'self'" in lowered["content-security-policy"]
        assert lowered["x-content-type-options"] == "nosniff"
    _, headers, _ = wsclient.get(guarded, "/")
    cookie = next(v for k, v in headers.items() if k.lower() == "set-cookie" and "reform_browser" in v)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_no_upload_into_a_session_nobody_signed_in_to(guarded: str) -> None:
    visitor = wsclient.open_session(guarded)
    try:
        assert "请登录" in visitor.texts
        assert wsclient.put_file(visitor, b"a,b\n" * 1000) == 403  # a valid XSRF token does not help
        wsclient.sign_in(visitor, "admin", PASSWORD)
        assert wsclient.put_file(visitor, b"a,b\n") in (200, 204)  # the same session, signed in: accepted
    finally:
        visitor.close()


def test_a_session_id_alone_does_not_take_over_a_signed_in_session(guarded: str) -> None:
    admin = wsclient.open_session(guarded)
    try:
        wsclient.sign_in(admin, "admin", PASSWORD)
        assert any("当前用户：admin" in t for t in admin.texts)
        with pytest.raises(InvalidStatus, match="403"):
            wsclient.open_session(guarded, resume=admin.session_id)  # another browser, its own XSRF token
        stranger = wsclient.browser_cookies(guarded)
        assert wsclient.put_file(admin, b"a,b\n", cookies=stranger) == 403
        wsclient.rerun(admin)  # the real user is still signed in
        assert any("当前用户：admin" in t for t in admin.texts)
        again = wsclient.open_session(guarded, cookies=admin.cookies, resume=admin.session_id)
        assert again.session_id == admin.session_id  # the same browser reconnecting is let back in
        again.close()
    finally:
        admin.close()


def test_downloads_only_for_the_signed_in_browser(guarded: str) -> None:
    admin = wsclient.open_session(guarded)
    try:
        wsclient.sign_in(admin, "admin", PASSWORD)
        wsclient.switch_page(admin, "upload")
        assert admin.media, "the upload page offers its templates for download"
        url = admin.media[0]
        assert wsclient.get(guarded, url, admin.cookies)[0] == 200
        assert wsclient.get(guarded, url, {})[0] == 403
        assert wsclient.get(guarded, url, wsclient.browser_cookies(guarded))[0] == 403
    finally:
        admin.close()


def test_hostile_files_through_the_page_are_refused_while_the_server_keeps_serving(
    browser, server: str, tmp_path: Path
) -> None:
    """Issue 11, findings 1–3 in a real browser: each file ends in its refusal on the page, in under
    5 s, while the health check and another session's run keep answering."""
    import threading
    import time

    from tests.e2e.conftest import ARTIFACTS, open_page
    from tests.hostile import HOSTILE

    other = wsclient.open_session(server)
    answered: list[float] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            status, _, _ = wsclient.get(server, "/_stcore/health")
            assert status == 200
            answered.append(wsclient.rerun(other, timeout=30))

    watcher = threading.Thread(target=keep_asking, daemon=True)
    watcher.start()
    page = open_page(browser, f"{server}/upload", height=1400)
    try:
        for name in ("dimension_bomb.xlsx", "forged_huge.xlsx", "broken_sheet.xlsx", "million_columns.csv"):
            path = tmp_path / name
            path.write_bytes(HOSTILE[name]())
            started = time.monotonic()
            page.locator("input[type='file']").set_input_files(str(path))
            page.get_by_text("已拒绝").or_(page.get_by_text("已损坏")).first.wait_for(timeout=30_000)
            assert time.monotonic() - started < 10  # 5 s on the server; the browser's upload and drawing on top
            assert page.get_by_role("button", name="确认保存").count() == 0
            assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "upload-hostile.png"), full_page=True)
    finally:
        stop.set()
        watcher.join(timeout=60)
        page.close()
        other.close()
    assert len(answered) >= 2 and max(answered) < 5
