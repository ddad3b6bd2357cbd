"""The province deployment as `make cluster` starts it: PostgreSQL, three app servers, nginx in front.

Real processes throughout: the browsers' protocol over nginx (websocket upgrade, the sticky
cookie, security headers, the upload limit), an upload through one server seen on another, and
one server killed with SIGKILL while the other two and nginx keep serving."""

from __future__ import annotations

import importlib
import json
import os
import signal
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import cli, wsclient

ROOT = Path(__file__).resolve().parent.parent.parent
FUNDING = "镇街,年度,经费类型,金额（元）\n溱潼镇,2025,青少年发展专项,1.5万\n"


@pytest.fixture(scope="module")
def cluster() -> Iterator[dict]:
    folder = Path(tempfile.mkdtemp(prefix="reform-cluster-"))
    folder.chmod(0o755)  # PostgreSQL runs as its own account and must reach its folder inside
    os.environ["REFORM_CLUSTER_DIR"] = str(folder / "state")
    from deploy import cluster as module

    module = importlib.reload(module)  # its folder is read when the module loads
    port = 8800 + os.getpid() % 100 * 2
    record = module.start(3, port)
    record["password"] = (module.STATE / "admin-password").read_text(encoding="utf-8").strip()
    try:
        yield record
    finally:
        module.stop()
        os.environ.pop("REFORM_CLUSTER_DIR", None)


def signed_in(url: str, password: str) -> wsclient.Session:
    session = wsclient.open_session(url, timeout=60)
    wsclient.sign_in(session, "admin", password, timeout=60)
    return session


def test_nginx_serves_the_app_with_its_headers_and_limit(cluster: dict) -> None:
    with urllib.request.urlopen(cluster["url"] + "/", timeout=10) as response:  # noqa: S310 - loopback
        headers = {k.lower(): v for k, v in response.headers.items()}
    assert headers["server"] == "nginx"  # no version number
    assert (
        headers["x-content-type-options"] == "nosniff"
        and "frame-ancestors 'self'" in headers["content-security-policy"]
    )
    assert "reform_browser=" in headers["set-cookie"]  # the cookie that picks a browser's server
    session = signed_in(cluster["url"], cluster["password"])  # the websocket through nginx
    assert any("当前用户：admin" in t for t in session.texts)
    too_big = b"a,b\n" * (6 * 1024 * 1024)  # 24 MB: over the 20 MB limit (+1 MB for the form)
    assert wsclient.put_file(session, too_big) == 413  # refused by nginx before any server reads it
    session.close()


def test_an_upload_through_one_server_shows_on_another_within_two_seconds(cluster: dict, tmp_path: Path) -> None:
    """A clerk's upload (here through the command line, one more process on the database) is on
    the next page another server draws, with the new data version in its footer."""
    other = f"http://127.0.0.1:{sorted(cluster['servers'])[1]}"
    watcher = signed_in(other, cluster["password"])
    assert any("数据版本 6" in t for t in watcher.texts), watcher.texts
    path = tmp_path / "经费.csv"
    path.write_bytes(FUNDING.encode("gbk"))
    done = cli.run("ingest", str(path), "--json", env={**os.environ, "REFORM_DB": cluster["database"]})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["batch_id"] == 7
    started = time.monotonic()
    wsclient.switch_page(watcher, "funding")
    assert any("数据版本 7" in t for t in watcher.texts), watcher.texts
    assert time.monotonic() - started < 2
    watcher.close()


def test_a_clerks_backslash_n_leaves_every_server_working(cluster: dict, tmp_path: Path) -> None:
    """Issue 26, finding 1: a clerk explains a soft check rule with the two characters ``\\N``. Every
    server still signs people in, and history, backup and rollback still work and keep the text."""
    from reform.pgstore import PgStore

    env = {**os.environ, "REFORM_DB": cluster["database"]}
    path = tmp_path / "经费.csv"
    path.write_bytes("镇街,年度,经费类型,金额（元）\n罗塘街道,2025,青少年发展专项,1万\n".encode("gbk"))  # a soft rule
    done = cli.run("ingest", str(path), "--explain", "per_head_funding_change=\\N", "--json", env=env)
    assert done.returncode == 0, done.stderr
    batch = json.loads(done.stdout)["batch_id"]
    for port in sorted(cluster["servers"]):  # each server's sign-in page and first page after it
        session = signed_in(f"http://127.0.0.1:{port}", cluster["password"])
        assert any("当前用户：admin" in t for t in session.texts), port
        session.close()
    through = signed_in(cluster["url"], cluster["password"])  # and through nginx
    through.close()
    assert cli.run("history", "--json", env=env).returncode == 0
    assert cli.run("backup", "--out", str(tmp_path / "backup"), env=env).returncode == 0
    assert cli.run("rollback", str(batch), env=env).returncode == 0
    store = PgStore(cluster["database"])  # one more server, its replica built afresh
    assert store.query("SELECT text FROM explanations WHERE batch_id = ?", [batch])["text"].tolist() == ["\\N"]
    assert not store.refused_rows()
    store.close()


def test_a_repeated_protocol_header_is_refused_through_nginx(cluster: dict) -> None:
    """Issue 26, finding 3, through the shipped nginx: two Sec-WebSocket-Protocol headers never reach
    a session (Streamlit would resume the first, the guard once checked the last)."""
    admin = signed_in(cluster["url"], cluster["password"])
    try:
        stranger = wsclient.browser_cookies(cluster["url"])
        jar = "; ".join(f"{k}={v}" for k, v in stranger.items())
        xsrf = stranger["_streamlit_xsrf"]
        protocols = [f"streamlit, {xsrf}, {admin.session_id}", f"streamlit, {xsrf}"]
        assert wsclient.raw(cluster["url"], wsclient.upgrade("/_stcore/stream", protocols, [jar])) != 101
        assert wsclient.raw(cluster["url"], ["GET /_stcore/metrics HTTP/1.1"]) == 403  # not through the proxy
    finally:
        admin.close()


def test_people_use_https_with_tls_1_2_or_newer_hsts_and_a_secure_cookie(cluster: dict, browser) -> None:
    """Issue 27 (等保 身份鉴别 c, 数据完整性/保密性 a): the shipped nginx serves HTTPS with the certificate
    `make cluster` made; no TLS below 1.2; HSTS; the browser cookie Secure; a real browser signs in
    over it (its websocket through TLS)."""
    import socket
    import ssl
    from urllib.parse import urlparse

    trusted = ssl.create_default_context(cafile=cluster["certificate"])
    with urllib.request.urlopen(cluster["https"] + "/", timeout=10, context=trusted) as response:  # noqa: S310
        headers = {k.lower(): v for k, v in response.headers.items()}
    assert headers["strict-transport-security"] == "max-age=31536000"
    assert "Secure" in headers["set-cookie"] and "HttpOnly" in headers["set-cookie"]
    port = urlparse(cluster["https"]).port
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        trusted.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.check_hostname, old.verify_mode = False, ssl.CERT_NONE
    old.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    old.maximum_version = ssl.TLSVersion.TLSv1_1
    with pytest.raises(ssl.SSLError), socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        old.wrap_socket(raw, server_hostname="127.0.0.1")  # TLS 1.1 and older: refused
    context = browser.new_context(ignore_https_errors=True, locale="zh-CN")  # the self-signed certificate
    page = context.new_page()
    try:
        page.goto(cluster["https"])
        page.get_by_label("用户名").fill("admin")
        page.get_by_label("密码").fill(cluster["password"])
        page.get_by_role("button", name="登录").click()
        page.get_by_text("当前用户：admin").wait_for(timeout=60_000)
        cookie = next(c for c in context.cookies() if c["name"] == "reform_browser")
        assert cookie["secure"] and cookie["httpOnly"]
    finally:
        context.close()


def test_one_server_killed_the_others_and_nginx_keep_serving(cluster: dict) -> None:
    ports = sorted(cluster["servers"])
    os.kill(int(cluster["servers"][ports[0]]), signal.SIGKILL)
    time.sleep(0.5)
    served = 0
    for _ in range(6):  # new browsers, each with its own cookie, spread over what is left
        try:
            session = signed_in(cluster["url"], cluster["password"])
        except (OSError, TimeoutError, urllib.error.URLError):
            continue
        served += any("当前用户：admin" in t for t in session.texts)
        session.close()
    assert served >= 5  # a browser hashed to the dead server may need one retry; nginx then avoids it
