"""The real server in a real browser (Debian chromium): every page shows Chinese text and drawn charts,
uploads through the page's file input change a figure, the language switches, meeting mode exports.

Screenshots go to tests/artifacts/ (git-ignored); a current set is kept in docs/screenshots/.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.e2e.conftest import ARTIFACTS, open_page, serve

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
CHARTS = {"staffing": 3, "venues": 3, "alumni": 1, "pathways": 3, "funding": 3, "inspections": 3}

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("path", "title"), PAGES.items())
def test_every_page_in_a_real_browser(server: str, browser, path: str, title: str) -> None:
    page = open_page(browser, f"{server}/{path}")
    try:
        page.get_by_text("示例数据").first.wait_for(timeout=60_000)  # the sample banner or the slide's footnote
        page.get_by_text(re.compile(r"^数据截至：.+ · 数据版本 \d+$")).last.wait_for(
            timeout=60_000
        )  # the footer (the periods of the figures, never an upload time): the page is complete
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
        page.wait_for_timeout(1500)  # sparklines and table canvases draw a moment after the text
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


def metric_values(browser, url: str, cards: int = 3) -> list[str]:
    """The page's KPI values, read once all ``cards`` of them are drawn.

    The script can finish before the browser has drawn every card (a metric with a sparkline
    loads its chart code on first use in a fresh browser context), so wait for the last one.
    """
    page = open_page(browser, url)
    try:
        page.locator("[data-testid='stMetricValue']").nth(cards - 1).wait_for(timeout=60_000)
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


def test_upload_an_xlsx_in_the_browser_switch_language_and_export_from_meeting_mode(
    browser,
    sample_db: Path,
    tmp_path: Path,
) -> None:
    db = tmp_path / "xlsx.duckdb"
    shutil.copy(sample_db, db)
    book = openpyxl.Workbook()
    book.active.title = "经费保障"
    book.active.append(["2025年经费（白米镇）"])
    book.active.append(["镇街", "年度", "经费类型", "金额（元）", "青少年人数"])
    book.active.append(["白米镇", 2025, "青少年发展专项", 20000, None])
    xlsx = tmp_path / "白米经费.xlsx"
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx.write_bytes(buffer.getvalue())
    process, url = serve(db)
    page = browser.new_page(viewport={"width": 1500, "height": 1600}, accept_downloads=True)
    try:
        page.goto(f"{url}/upload")
        page.locator("input[type='file']").set_input_files(str(xlsx))
        page.get_by_text("检查通过").wait_for(timeout=60_000)
        page.get_by_role("button", name="确认保存").click()
        page.get_by_text("已保存：第 7 批").wait_for(timeout=60_000)
        page.get_by_role("link", name="经费保障（缺政策）").click()
        # 白米镇 20000 / 5900 = 3.39 now meets ¥3 ("16/17" alone also stands in "2025年 · 16/17 已报")
        page.locator("[data-testid='stMetricValue']", has_text="16/17").first.wait_for(timeout=60_000)
        assert "16/17" in page.locator("[data-testid='stMetricValue']").all_inner_texts()
        page.get_by_text("English").click()
        page.get_by_role("heading", name="Funding (policy)").wait_for(timeout=60_000)
        page.get_by_text("中文").click()
        page.get_by_role("link", name="会议模式").click()
        page.get_by_role("button", name="生成 HTML").click()
        with page.expect_download(timeout=120_000) as download:
            page.get_by_role("button", name="下载 HTML").click()
        saved = tmp_path / "pack.html"
        download.value.save_as(saved)
        assert saved.stat().st_size > 1_000_000 and "基层团组织改革进展汇报" in saved.read_text(encoding="utf-8")
        page.screenshot(path=str(ARTIFACTS / "meeting-export.png"), full_page=True)
    finally:
        page.close()
        process.terminate()
        process.wait(timeout=20)
