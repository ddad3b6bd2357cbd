"""The real server in a real browser (Debian chromium): every page shows Chinese text and drawn charts.

Screenshots go to tests/artifacts/ (git-ignored). Skipped, with a message, only where
chromium is not installed; CI sets REFORM_REQUIRE_BROWSER=1 and then it must run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
PAGES = {
    "": "改革总览",
    "meeting": "会议模式",
    "staffing": "队伍配备",
    "venues": "青年之家",
    "alumni": "学子联谊会",
    "pathways": "团员发展",
    "funding": "经费保障",
    "inspections": "团务巡察",
    "upload": "数据上传",
    "completeness": "报送情况",
    "data": "上传记录",
}
CHARTS = {"staffing": 3, "venues": 3, "alumni": 2, "pathways": 3, "funding": 3, "inspections": 3}

if not Path(CHROMIUM).exists():
    if os.environ.get("REFORM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} is required here (REFORM_REQUIRE_BROWSER=1) but missing", pytrace=False)
    pytest.skip(
        f"real-browser tests skipped: {CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True
    )

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(db: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "REFORM_DB": str(db)}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard.py",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:  # noqa: S310 - localhost
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.2)
    process.terminate()
    pytest.fail("the server did not start")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sample_db: Path) -> Iterator[str]:
    db = tmp_path_factory.mktemp("browser") / "browser.duckdb"
    shutil.copy(sample_db, db)
    process, url = serve(db)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield b
        b.close()


def open_page(browser, url: str, height: int = 2400):
    page = browser.new_page(viewport={"width": 1600, "height": height}, locale="zh-CN")
    page.goto(url)
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=60_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    return page


@pytest.mark.parametrize(("path", "title"), PAGES.items())
def test_every_page_in_a_real_browser(server: str, browser, path: str, title: str) -> None:
    page = open_page(browser, f"{server}/{path}")
    try:
        page.get_by_text("示例数据").first.wait_for(timeout=60_000)  # the sample banner or the slide's footnote
        if path in CHARTS:
            page.wait_for_function(
                f"document.querySelectorAll('.js-plotly-plot .plot-container').length >= {CHARTS[path]}", timeout=60_000
            )
            drawn = page.locator(".js-plotly-plot .plot-container").count()
            assert drawn == CHARTS[path]
            # a drawn chart has marks (bars, lines, points or slices), not only axes
            assert page.locator(".js-plotly-plot .trace, .js-plotly-plot .slice").count() >= CHARTS[path]
        assert title in page.locator("h1").first.inner_text()
        assert page.locator("[data-testid='stException']").count() == 0
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{path or 'overview'}.png"), full_page=True)
    finally:
        page.close()


def test_upload_a_gbk_file_in_the_browser_and_see_the_figure_change(server: str, browser, tmp_path: Path) -> None:
    csv = tmp_path / "经费.csv"
    csv.write_bytes(
        '2025年经费\n镇街,年度,经费类型,金额（元）\n溱潼镇,2025,青少年发展专项,1.5万\n白米镇,2025,青少年发展专项,"18,000"\n'.encode(
            "gbk"
        )
    )
    assert "15/17" in metric_values(browser, f"{server}/funding")
    page = open_page(browser, f"{server}/upload")
    try:
        page.locator("input[type='file']").set_input_files(str(csv))
        page.get_by_text("检查通过").wait_for(timeout=60_000)
        page.get_by_role("button", name="确认保存").click()
        page.get_by_text("已保存：第").wait_for(timeout=60_000)
    finally:
        page.close()
    assert "17/17" in metric_values(browser, f"{server}/funding")


def metric_values(browser, url: str) -> list[str]:
    page = open_page(browser, url)
    try:
        page.locator("[data-testid='stMetricValue']").first.wait_for(timeout=60_000)
        return page.locator("[data-testid='stMetricValue']").all_inner_texts()
    finally:
        page.close()


def test_a_township_clerk_signs_in_and_is_refused_another_townships_file(
    browser,
    sample_db: Path,
    cfg,
    tmp_path: Path,
) -> None:
    from reform import auth
    from reform.store import Store

    db = tmp_path / "accounts.duckdb"
    shutil.copy(sample_db, db)
    auth.add_user(Store(db), cfg, "luotang", "township", "Luotang-secret-pw", "罗塘街道")
    csv = tmp_path / "三水经费.csv"
    csv.write_bytes("镇街,年度,经费类型,金额（元）\n三水街道,2025,青少年发展专项,1万\n".encode("gbk"))
    process, url = serve(db)
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    try:
        page.goto(url)
        page.get_by_label("用户名").fill("luotang")
        page.get_by_label("密码").fill("Luotang-secret-pw")
        page.get_by_role("button", name="登录").click()
        page.get_by_text("当前用户：luotang").wait_for(timeout=60_000)
        assert page.get_by_role("link", name="用户管理").count() == 0  # not in a clerk's menu
        page.get_by_role("link", name="数据上传").click()
        page.locator("input[type='file']").set_input_files(str(csv))
        page.get_by_text("无权上传").wait_for(timeout=60_000)
        assert page.get_by_role("button", name="确认保存").count() == 0
        page.screenshot(path=str(ARTIFACTS / "upload-refused.png"), full_page=True)
        page.goto(f"{url}/users")  # typed by hand: a new browser session starts at the login form
        page.get_by_role("button", name="登录").wait_for(timeout=60_000)
        assert page.get_by_text("新增用户").count() == 0
    finally:
        page.close()
        process.terminate()
        process.wait(timeout=20)
    assert Store(db).data_version() == 6
