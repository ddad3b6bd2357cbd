"""Server settings a browser cannot bypass: XSRF protection and the upload size limit, on the real server."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, open_page

pytestmark = pytest.mark.browser
LIMIT_MB = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"]["maxUploadSize"]


def captured_upload(browser, server: str, tmp_path: Path) -> tuple[object, str, dict[str, str]]:
    """Upload a small file through the page and keep the server request it made (URL and headers)."""
    page = open_page(browser, f"{server}/upload", height=1200)
    small = tmp_path / "small.csv"
    small.write_text("镇街,年度,经费类型,金额（元）\n罗塘,2025,青少年发展专项,1\n", encoding="utf-8")
    with page.expect_request(lambda r: "/_stcore/upload_file/" in r.url and r.method == "PUT") as request:
        page.locator("input[type='file']").set_input_files(str(small))
    sent = request.value
    return page, sent.url, sent.headers


def test_upload_size_limit_is_enforced_by_the_server(browser, server: str, tmp_path: Path) -> None:
    page, url, headers = captured_upload(browser, server, tmp_path)
    try:
        keep = {k: v for k, v in headers.items() if k.lower() in ("x-xsrftoken", "cookie")}
        big = b"x" * (LIMIT_MB * 1024 * 1024 + 1024)
        response = page.request.put(
            url, headers=keep, multipart={"file": {"name": "big.csv", "mimeType": "text/csv", "buffer": big}}
        )
        assert response.status == 413
        ok = page.request.put(
            url, headers=keep, multipart={"file": {"name": "ok.csv", "mimeType": "text/csv", "buffer": b"a,b\n"}}
        )
        assert ok.status in (200, 204)
    finally:
        page.close()


def test_xsrf_protection_refuses_a_request_without_the_token(browser, server: str, tmp_path: Path) -> None:
    page, url, _ = captured_upload(browser, server, tmp_path)
    try:
        response = page.request.put(
            url,
            headers={"x-xsrftoken": "forged"},
            multipart={"file": {"name": "x.csv", "mimeType": "text/csv", "buffer": b"a\n"}},
        )
        assert response.status == 403
    finally:
        page.close()
