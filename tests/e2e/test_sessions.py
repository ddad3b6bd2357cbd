"""Issue 27 (sessions) in Chromium on the real server: a reload, a typed address and a new tab keep
a sign-in; sign-out signs every tab of the browser out and gives it a new cookie; a password change
ends another browser's session and a big screen's link within one poll; an idle session ends.

One server with ``security.idle_minutes: 1`` and a big screen polling every second; the idle
browser signs in first and is left alone while the rest runs, so the minute is not waited twice.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from reform import auth
from reform.config import Config
from reform.store import Store
from tests.e2e.conftest import ARTIFACTS, ROOT, served_copy

PASSWORD = "Leader-secret-pw1"
IDLE_MINUTES = 1


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, sample_db: Path, cfg: Config) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("sessions")
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    config["security"]["idle_minutes"] = IDLE_MINUTES
    config["meeting"].update({"screen_poll_seconds": 1})
    config["storage"]["sample_dir"] = str(ROOT / "data" / "sample")
    (folder / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")

    def accounts(db: Path) -> None:
        auth.add_user(Store(db), cfg, "leader", "leader", PASSWORD)
        auth.add_user(Store(db), cfg, "idler", "leader", PASSWORD)

    os.environ["REFORM_CONFIG"] = str(folder / "config.yaml")
    try:
        with served_copy(sample_db, folder, accounts) as url:
            yield url, folder / "served.duckdb"
    finally:
        os.environ.pop("REFORM_CONFIG", None)


def _signed_in(page, name: str) -> None:
    page.get_by_text(f"当前用户：{name}").wait_for(timeout=60_000)


def _sign_in(page, url: str, name: str, password: str = PASSWORD) -> None:
    page.goto(url)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    _signed_in(page, name)


def _login_form(page) -> None:
    page.get_by_role("heading", name="请登录").wait_for(timeout=60_000)


def _cookie(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "reform_browser")


def test_a_sign_in_lives_through_reloads_and_ends_at_sign_out_a_new_password_and_idleness(browser, served) -> None:
    url, db = served
    idle = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    idler = idle.new_page()
    _sign_in(idler, url, "idler")
    idle_since = time.monotonic()

    # 1. reload, typed address, new tab: still signed in; sign-out ends every tab and rotates the cookie
    first = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = first.new_page()
    _sign_in(page, url, "leader")
    page.reload()
    _signed_in(page, "leader")
    page.goto(f"{url}/completeness")
    page.get_by_role("heading", name="报送情况").wait_for(timeout=60_000)
    _signed_in(page, "leader")
    tab = first.new_page()
    tab.goto(f"{url}/funding")
    _signed_in(tab, "leader")
    before = _cookie(first)
    page.get_by_role("button", name="退出登录").click()
    _login_form(page)
    page.wait_for_load_state("load")
    _login_form(page)  # after the reload that fetched a new cookie
    assert _cookie(first) != before  # the cookie rotated
    tab.reload()
    _login_form(tab)  # the other tab of the browser is signed out too
    page.screenshot(path=str(ARTIFACTS / "session-signed-out.png"))

    # 2. a password change in a second browser ends the first's session and its big screen within a poll
    _sign_in(page, url, "leader")
    page.goto(f"{url}/meeting")
    link = page.get_by_role("link", name="数据大屏（自动轮播）").get_attribute("href")
    screen = first.new_page()
    screen.goto(f"{url}/{link.lstrip('./')}")
    screen.wait_for_function("document.body.dataset.slide === '1'", timeout=30_000)
    second = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    other = second.new_page()
    _sign_in(other, url, "leader")
    other.goto(f"{url}/account")
    other.get_by_label("当前密码").fill(PASSWORD)
    other.get_by_label("新密码", exact=True).fill("Leader-changed-pw2")
    other.get_by_label("再次输入新密码").fill("Leader-changed-pw2")
    other.get_by_role("button", name="修改密码").click()
    other.get_by_text("密码已修改").wait_for(timeout=30_000)
    changed = time.monotonic()
    screen.get_by_text("演示链接已失效").wait_for(timeout=10_000)  # the poll is 1 s: one poll and a load
    assert time.monotonic() - changed < 10
    page.get_by_role("link", name="总览").first.click()  # the first browser's next click
    _login_form(page)
    page.get_by_text("该账户的密码或角色已更改").wait_for(timeout=10_000)
    other.reload()
    _signed_in(other, "leader")  # the browser that changed it goes on, also after a reload
    assert auth.login(Store(db), "leader", "Leader-changed-pw2").name == "leader"

    # 3. the idle browser, untouched for a minute, finds itself signed out at its next click
    time.sleep(max(0.0, IDLE_MINUTES * 60 + 3 - (time.monotonic() - idle_since)))
    idler.get_by_role("link", name="报送情况").first.click()
    _login_form(idler)
    idler.get_by_text(f"已超过 {IDLE_MINUTES} 分钟未操作").wait_for(timeout=10_000)
    idler.reload()
    _login_form(idler)  # a reload does not bring it back
    ends = set(auth.audit_log(Store(db))["action"])
    assert {"logout", "credentials_changed", "idle"} <= ends, ends
    for context in (idle, first, second):
        context.close()
