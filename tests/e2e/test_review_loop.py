"""The review loop end to end in a real browser, three people at three screens (issue: the review loop,
closed): 罗塘街道's clerk saves and submits in one step → a district reviewer sees every value and returns
it with a reason → the clerk's home says 已退回 with the reason, the copyable 催报 on 报送情况 names the
report again, and one 退回 message reached the township's robot at once → the clerk corrects and
resubmits → the reviewer sees 1 → 2 against the returned version → a second district account approves."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from reform import auth
from reform.config import Config
from reform.store import Store
from tests.e2e.conftest import ARTIFACTS, serve
from tests.receivers import RobotServer, serve_robots
from tests.test_review_loop import PASSWORD, Q1, Q1_FIXED, config_file

pytestmark = pytest.mark.browser


def signed_in(browser, url: str, name: str):
    page = browser.new_page(viewport={"width": 1600, "height": 2400}, locale="zh-CN")
    page.set_default_timeout(60_000)  # three sessions on a 2-core machine: a click may wait for a busy server
    page.goto(url)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_text(f"当前用户：{name}").wait_for(timeout=60_000)
    return page


def submit(page, path: Path) -> None:
    page.get_by_role("link", name="数据上传").click()
    page.locator("input[type='file']").set_input_files(str(path))
    page.get_by_text("检查通过").wait_for(timeout=60_000)
    page.get_by_role("button", name="保存并提交审核").click()
    page.get_by_text("已提交审核（1 项）").wait_for(timeout=60_000)


def choose_and(page, step: str, reason: str = "") -> None:
    """On 数据审核: pick the one submitted slice, give a reason, and press approve or return."""
    page.locator("[data-testid='stMain'] [data-testid='stMultiSelect']").first.click()
    page.get_by_role("option", name="罗塘街道 · 2026-Q1 · 队伍配备").click()
    page.keyboard.press("Escape")
    if reason:
        page.get_by_label("原因（退回或重新开放时必填）").first.fill(reason)
        page.keyboard.press("Tab")
    page.get_by_role("button", name=f"{step}所选（1）").click()


def test_a_report_goes_round_the_loop_in_three_browsers(browser, sample_db: Path, cfg: Config, tmp_path: Path) -> None:
    db = tmp_path / "loop.duckdb"
    shutil.copy(sample_db, db)
    store = Store(db)
    for name, role, township in (
        ("luotang", "township", "罗塘街道"),
        ("district", "district", None),
        ("district2", "district", None),
    ):
        auth.add_user(store, cfg, name, role, PASSWORD, township)
    robots = RobotServer()
    server, robot_url = serve_robots(robots)
    first, fixed = tmp_path / "罗塘一季度.csv", tmp_path / "罗塘一季度-更正.csv"
    first.write_bytes(Q1.encode("gbk"))
    fixed.write_bytes(Q1_FIXED.encode("gbk"))
    os.environ["REFORM_CONFIG"] = str(config_file(tmp_path, db, robot_url))
    os.environ["REFORM_NOTIFY_TOWNSHIPS_URL"] = f"{robot_url}/wecom?key=k"
    try:
        process, url = serve(db)
    finally:
        os.environ.pop("REFORM_CONFIG", None)
        os.environ.pop("REFORM_NOTIFY_TOWNSHIPS_URL", None)
    pages = []
    try:
        clerk = signed_in(browser, url, "luotang")
        pages.append(clerk)
        clerk.get_by_role("heading", name="我的报送").wait_for(timeout=60_000)  # a clerk lands on what is owed
        submit(clerk, first)
        clerk.locator("input[type='file']").set_input_files(str(fixed))  # submitted: locked, said before a button
        clerk.get_by_text("已提交审核或已审核通过，不能再修改").wait_for(timeout=60_000)
        assert clerk.get_by_role("button", name="保存并提交审核").count() == 0

        reviewer = signed_in(browser, url, "district")
        pages.append(reviewer)
        reviewer.get_by_role("link", name="数据审核").click()
        reviewer.get_by_text("本期首次报送，与上期（2025年第四季度）相比").first.click()  # opens the details
        # every value reported (the table is drawn on a canvas; its cells stand in the page, hidden)
        reviewer.get_by_text("核定数 2；在岗数 1").first.wait_for(state="attached", timeout=60_000)
        choose_and(reviewer, "退回", "青年助力官应为 2 人")
        reviewer.get_by_text("已退回 1 项").wait_for(timeout=60_000)
        said = [r.body["text"]["content"] for r in robots.received]
        assert len(said) == 1 and said[0].startswith("【退回】罗塘街道") and "青年助力官应为 2 人" in said[0]

        clerk.get_by_role("link", name="我的报送").click()
        clerk.get_by_text("已被退回（district").first.wait_for(timeout=60_000)
        assert clerk.get_by_text("青年助力官应为 2 人").count() >= 1
        clerk.get_by_text("已退回，待重新报送").first.wait_for(state="attached", timeout=60_000)
        clerk.screenshot(path=str(ARTIFACTS / "clerk-home-returned.png"), full_page=True)
        clerk.get_by_role("link", name="报送情况").click()
        clerk.get_by_text("罗塘街道：队伍配备（2026-Q1）").first.wait_for(timeout=60_000)  # owed again, in the 催报
        submit(clerk, fixed)

        reviewer.get_by_role("link", name="数据审核").click()
        reviewer.get_by_text("与退回的版本（第 7 批）相比").first.click()
        reviewer.get_by_text("在岗数 1 → 2").first.wait_for(state="attached", timeout=60_000)  # really 1 → 2
        reviewer.screenshot(path=str(ARTIFACTS / "review-resubmission.png"), full_page=True)

        second = signed_in(browser, url, "district2")
        pages.append(second)
        second.get_by_role("link", name="数据审核").click()
        choose_and(second, "通过")
        second.get_by_text("已通过 1 项").wait_for(timeout=60_000)
        assert len(robots.received) == 1  # the return was told once; an approval sends nothing
    finally:
        for page in pages:
            page.close()
        process.terminate()
        process.wait(timeout=20)
        server.shutdown()
    states = {(r["slice"], r["state"]) for r in Store(db).query("SELECT slice, state FROM reviews").to_dict("records")}
    assert ('{"township":"罗塘街道","period":"2026-Q1"}', "approved") in states
