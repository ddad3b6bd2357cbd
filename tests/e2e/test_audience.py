"""The issue's scenario in a real browser, as a leader sees it with review on: 罗塘街道 uploads and submits
its 2026-Q1 staffing (nothing moves on the leader's screen), the district approves it (the staffing cards
say that 1 of 17 townships reported a later period, the denominator still covers all of them)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from reform import auth
from reform.config import Config
from reform.store import Store
from tests import cli
from tests.e2e.conftest import ARTIFACTS, serve
from tests.test_audience import PASSWORD, Q1, config_file

pytestmark = pytest.mark.browser


def cadre_card(page) -> str:
    return page.locator(".st-key-kpi-cadre_fill_rate").inner_text()


def test_a_leader_sees_only_approved_figures_and_whose_reports_they_are(
    browser, sample_db: Path, cfg: Config, tmp_path: Path
) -> None:
    db = tmp_path / "review.duckdb"
    shutil.copy(sample_db, db)
    store = Store(db)
    for name, role, township in (
        ("luotang", "township", "罗塘街道"),
        ("district", "district", None),
        ("boss", "leader", None),
    ):
        auth.add_user(store, cfg, name, role, PASSWORD, township)
    config = config_file(tmp_path, db)
    csv = tmp_path / "罗塘一季度.csv"
    csv.write_bytes(Q1.encode("gbk"))
    assert cli.run("--config", str(config), "ingest", str(csv), "--as", "luotang").returncode == 0
    assert (
        cli.run("--config", str(config), "review", "submit", str(store.data_version()), "--as", "luotang").returncode
        == 0
    )
    os.environ["REFORM_CONFIG"] = str(config)
    try:
        process, url = serve(db)
    finally:
        os.environ.pop("REFORM_CONFIG", None)
    page = browser.new_page(viewport={"width": 1920, "height": 3000}, locale="zh-CN")
    try:
        page.goto(url)
        page.get_by_label("用户名").fill("boss")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_text("数据截至：队伍配备 2025年第四季度").first.wait_for(timeout=60_000)
        before = cadre_card(page)
        assert "100.0%" in before and "2025年第四季度 · 16/17 已报，其余沿用 2025年第三季度" in before
        sidebar = page.locator("[data-testid='stSidebar']").inner_text()
        assert "2025" in sidebar and "2026" not in sidebar  # the years a leader may pick: the approved data's
        assert page.get_by_text("含待审核").count() == 0
        done = cli.run(
            "--config",
            str(config),
            "review",
            "approve",
            "--dataset",
            "staffing",
            "--slice",
            "township=罗塘街道,period=2026-Q1",
            "--as",
            "district",
        )
        assert done.returncode == 0, done.stderr
        page.get_by_role("link", name="改革总览").click()  # the next page run sees the approval
        page.get_by_text("2026年第一季度 · 1/17 已报，其余沿用 2025年第四季度").first.wait_for(timeout=60_000)
        after = cadre_card(page)
        assert "97.6%" in after  # 40 of 41 posts: all 17 townships and 团区委, 罗塘街道 as of 2026-Q1
        assert "2026" in page.locator("[data-testid='stSidebar']").inner_text()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "overview-approved-later-period.png"), full_page=True)
    finally:
        page.close()
        process.terminate()
        process.wait(timeout=20)
