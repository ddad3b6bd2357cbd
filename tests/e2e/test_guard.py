"""The server's guard on the real server (issue 11, findings 7 and 10): sessions bound to the browser that
signed in, no uploads into sessions nobody signed in to, downloads only for signed-in browsers, headers.

Sessions are driven over the websocket as a browser does (tests/wsclient.py), which is how an
attacker who has read a session id from a proxy log would try it.
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus

from reform import auth
from reform.config import Config
from reform.store import Store
from tests import wsclient
from tests.e2e.conftest import served_copy

PASSWORD = "Admin-secret-pw"
guarded_db: list[str] = []  # the served store's file (the presentation links' key is derived beside it)


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory, sample_db: Path, cfg: Config) -> Iterator[str]:
    def admin(db: Path) -> None:
        auth.add_user(Store(db), cfg, "admin", "admin", PASSWORD)
        auth.add_user(Store(db), cfg, "clerk", "township", PASSWORD, township="白米镇")
        auth.add_user(Store(db), cfg, "leader", "leader", PASSWORD)

    folder = tmp_path_factory.mktemp("guard")
    guarded_db[:] = [str(folder / "served.duckdb")]
    with served_copy(sample_db, folder, admin) as url:
        yield url


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


def test_a_download_is_served_only_to_the_session_that_made_it(guarded: str) -> None:
    """Media ids are content hashes, not secrets: another signed-in account with the URL gets nothing."""
    admin, clerk = wsclient.open_session(guarded), wsclient.open_session(guarded)
    try:
        wsclient.sign_in(admin, "admin", PASSWORD)
        wsclient.switch_page(admin, "upload")
        wsclient.sign_in(clerk, "clerk", PASSWORD)  # signed in, in another browser, on its own home page
        url = admin.media[0]
        assert wsclient.get(guarded, url, admin.cookies)[0] == 200
        assert wsclient.get(guarded, url, clerk.cookies)[0] == 403
    finally:
        admin.close()
        clerk.close()


def test_a_repeated_protocol_or_cookie_header_is_refused(guarded: str) -> None:
    """Streamlit reads the first of two Sec-WebSocket-Protocol headers; the guard must not read another."""
    admin = wsclient.open_session(guarded)
    try:
        wsclient.sign_in(admin, "admin", PASSWORD)
        stranger = wsclient.browser_cookies(guarded)
        jar = "; ".join(f"{k}={v}" for k, v in stranger.items())
        xsrf = stranger["_streamlit_xsrf"]
        resume = f"streamlit, {xsrf}, {admin.session_id}"
        path = "/_stcore/stream"
        assert wsclient.raw(guarded, wsclient.upgrade(path, [resume], [jar])) != 101  # one header: refused
        assert wsclient.raw(guarded, wsclient.upgrade(path, [resume, f"streamlit, {xsrf}"], [jar])) != 101
        mine = "; ".join(f"{k}={v}" for k, v in admin.cookies.items())
        assert wsclient.raw(guarded, wsclient.upgrade(path, [resume], [jar, mine])) != 101  # two cookie lines
        assert wsclient.raw(guarded, ["GET / HTTP/1.1", f"Cookie: {mine}", f"Cookie: {jar}"]) == 403
        wsclient.rerun(admin)
        assert any("当前用户：admin" in t for t in admin.texts)  # still signed in, on its own connection
        assert wsclient.raw(guarded, wsclient.upgrade(path, [resume], [mine])) == 101  # its own browser: let in
    finally:
        admin.close()


def test_metrics_only_to_this_machine_and_the_cookie_secure_over_https(guarded: str) -> None:
    assert wsclient.raw(guarded, ["GET /_stcore/metrics HTTP/1.1"]) == 200  # the machine's own monitoring
    proxied = ["GET /_stcore/metrics HTTP/1.1", "X-Forwarded-For: 203.0.113.9"]
    assert wsclient.raw(guarded, proxied) == 403  # anyone through the proxy
    request = urllib.request.Request(f"{guarded}/", headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        cookie = response.headers["set-cookie"]
    assert "reform_browser=" in cookie and "; Secure" in cookie
    _, headers, _ = wsclient.get(guarded, "/")
    plain = next(v for k, v in headers.items() if k.lower() == "set-cookie" and "reform_browser" in v)
    assert "Secure" not in plain  # plain HTTP on a test machine: a Secure cookie would never come back


def test_a_presentation_link_bound_to_no_browser_opens_nowhere(guarded: str, cfg: Config) -> None:
    """A link minted without the guard's cookie (``browser`` empty) was once accepted in any browser."""
    import time

    from reform import presentation

    db = Path(guarded_db[0])
    showing = presentation.Showing(
        user="admin", browser="", mode="screen", version=0, keys=("title",), lang="zh",
        first_year=2021, last_year=2025, townships=(), expires=int(time.time()) + 3600,
    )  # fmt: skip
    token = presentation.sign(showing, presentation.key(db))
    assert wsclient.get(guarded, f"/present/{token}", wsclient.browser_cookies(guarded))[0] == 403
    assert wsclient.get(guarded, f"/present/{token}", {})[0] == 403
    admin = auth.grant(auth.find_user(Store(db), "admin"))
    bound = presentation.Showing(
        **{**showing.__dict__, "browser": presentation.browser_digest("c00kie"), "grant": admin}
    )
    token = presentation.sign(bound, presentation.key(db))
    assert wsclient.get(guarded, f"/present/{token}", {"reform_browser": "c00kie"})[0] == 200


def test_a_new_password_ends_the_accounts_presentation_links(guarded: str) -> None:
    """Issue 27 (sessions): a leader's link answered 200 after `user passwd leader`; now it stops."""
    import time

    from reform import presentation

    db = Path(guarded_db[0])
    store = Store(db)
    showing = presentation.Showing(
        user="leader", browser=presentation.browser_digest("c00kie"), mode="screen", version=0, keys=("title",),
        lang="zh", first_year=2021, last_year=2025, townships=(), expires=int(time.time()) + 3600,
        grant=auth.grant(auth.find_user(store, "leader")),
    )  # fmt: skip
    token = presentation.sign(showing, presentation.key(db))
    assert wsclient.get(guarded, f"/present/{token}", {"reform_browser": "c00kie"})[0] == 200
    auth.set_password(store, "leader", "Another-secret-pw1")
    assert wsclient.get(guarded, f"/present/{token}", {"reform_browser": "c00kie"})[0] == 403
    assert wsclient.get(guarded, f"/present/{token}/version", {"reform_browser": "c00kie"})[0] == 403


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
        expected = {  # a words of each refusal, as the problem table holds it
            "dimension_bomb.xlsx": "工作表声明了 16384 列",
            "forged_huge.xlsx": "解压后超过",
            "broken_sheet.xlsx": "内部结构已损坏",
            "million_columns.csv": "超过允许的 200 列",
        }
        for name, words in expected.items():
            path = tmp_path / name
            path.write_bytes(HOSTILE[name]())
            started = time.monotonic()
            page.locator("input[type='file']").set_input_files(str(path))
            page.locator("[data-testid='stAlertContentError']").first.wait_for(timeout=30_000)
            page.locator("[role='gridcell']", has_text=words).first.wait_for(state="attached", timeout=30_000)
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


def test_pages_load_every_asset_from_this_server_under_the_security_policy(browser, server: str) -> None:
    """Under the guard's CSP and its /media/ rule: no request leaves the server, none is refused,
    no policy violation (the fonts under /static/media/ once were, and the tab icon came from a font host)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests: list[str] = []
    refused: list[str] = []
    console: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: console.append(m.text))
    try:
        for path in ("", "/upload", "/alumni", "/meeting"):
            page.goto(f"{server}{path}")
            page.wait_for_selector("[data-testid='stMain'] h1", timeout=60_000)
            page.wait_for_timeout(1500)
    finally:
        page.close()
    outside = [u for u in requests if not u.startswith((server, "data:", "blob:", "about:"))]
    assert outside == []
    # Streamlit's frontend first asks for its endpoints relative to a deep link's path (a 404), then at
    # the root; those probes are Streamlit's own. Nothing else may be refused.
    probes = re.compile(r"^404 .*/(upload|alumni|meeting)/_stcore/(host-config|health)$")
    assert [r for r in refused if not probes.match(r)] == []
    assert not [m for m in console if "Content Security Policy" in m]


def test_a_bookmarked_page_opened_before_sign_in_is_where_the_user_lands(browser, guarded: str) -> None:
    """Issue 14: a deep link opened before signing in landed on the overview after it."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{guarded}/completeness")
        page.get_by_label("用户名").fill("admin")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_role("heading", name="报送情况").wait_for(timeout=60_000)
        assert page.url.rstrip("/").endswith("/completeness")
    finally:
        page.close()
