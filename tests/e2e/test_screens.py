"""Leaders' screens in a real browser: every page at a projector's, a laptop's, a small laptop's
and a phone's size; presentation mode on each; the big screen picking up new data.

Per page and size: no horizontal scroll, no KPI value cut, no English word outside the allow-list
in the Chinese interface, no request leaving the server. Per slide: it fits the screen without
scrolling, titles and axis labels are projector-sized, turning it costs the server no request.
Screenshots go to tests/artifacts/screens (and docs/screenshots with REFORM_SCREENSHOTS=1).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import ARTIFACTS, ROOT, served_copy

pytestmark = [pytest.mark.browser, pytest.mark.timeout(1200)]
SIZES = {"projector": (1920, 1080), "laptop": (1366, 768), "small-laptop": (1024, 768), "phone": (390, 844)}
PAGES = {  # url -> screenshot name
    "": "overview",
    "township?name=华港镇": "township",
    "meeting": "meeting",
    "staffing": "staffing",
    "venues": "venues",
    "alumni": "alumni",
    "pathways": "pathways",
    "funding": "funding",
    "inspections": "inspections",
    "upload": "upload",
    "review": "review",
    "completeness": "completeness",
    "data": "data",
    "users": "users",
    "audit": "audit",
    "notifications": "notifications",
}
SHOWN = {"overview", "township", "staffing", "meeting", "upload"}  # pages kept as screenshots per size
# Words a Chinese screen may carry: the language switch, file formats, units, and product names.
ALLOWED = {"English", "Language", "CSV", "TXT", "TSV", "XLSX", "XLSM", "XLS", "Excel", "WPS", "PDF", "PPTX", "HTML"}
ALLOWED |= {"PNG", "MB", "GBK", "UTF", "SVG", "config", "yaml"}
VISIBLE_TEXT = """() => {
  const words = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!parent || !node.textContent.trim()) continue;
    // icon ligatures (a Material icon is the word "person" drawn by its font), scripts, the chart toolbar
    const skip = '[translate=no][aria-hidden=true], [data-testid=stIconMaterial], script, style, noscript, .modebar';
    if (parent.closest(skip)) continue;
    const style = getComputedStyle(parent), box = parent.getBoundingClientRect();
    if (style.visibility !== 'visible' || style.display === 'none' || box.width <= 1 || box.height <= 1) continue;
    words.push(node.textContent);
  }
  return words.join('\\n');
}"""
LAYOUT = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const cut = [...document.querySelectorAll('[data-testid=stMetricValue]')]
    .filter(e => e.offsetParent !== null)
    .filter(e => [e, ...e.querySelectorAll('*')].some(x => x.scrollWidth > x.clientWidth + 1))
    .map(e => e.textContent);
  return {page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          main: main.scrollWidth - main.clientWidth, cut, height: main.scrollHeight};
}"""


def english_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED}


def ready(page) -> None:
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=60_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(600)  # charts and data grids draw after the last delta


def keep(page, size: str, name: str, height: int) -> None:
    """A screenshot of the whole page (the viewport made as tall as the content, at most 3,000 px)."""
    width, tall = page.viewport_size["width"], page.viewport_size["height"]
    page.set_viewport_size({"width": width, "height": min(max(height, tall), 3000)})
    page.wait_for_timeout(500)
    folders = [ARTIFACTS / "screens" / size]
    if os.environ.get("REFORM_SCREENSHOTS") == "1":
        folders.append(ROOT / "docs" / "screenshots" / size)
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"))
    page.set_viewport_size({"width": width, "height": tall})


def recorded(page, server: str) -> list[str]:
    """Every request the page makes; the list is checked for anything leaving the server."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    return requests


def outside(requests: list[str], server: str) -> list[str]:
    return [u for u in requests if not u.startswith((server, "data:", "blob:", "about:"))]


@pytest.mark.parametrize("size", SIZES)
def test_every_page_fits_speaks_chinese_and_stays_on_the_server(browser, server: str, size: str) -> None:
    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
    requests = recorded(page, server)
    problems = []
    try:
        for path, name in PAGES.items():
            page.goto(f"{server}/{path}")
            ready(page)
            layout = page.evaluate(LAYOUT)
            if layout["page"] > 0 or layout["main"] > 0:
                problems.append(f"{name}: scrolls sideways by {max(layout['page'], layout['main'])} px")
            if layout["cut"]:
                problems.append(f"{name}: KPI values cut {layout['cut']}")
            words = english_words(page.evaluate(VISIBLE_TEXT))
            if words:
                problems.append(f"{name}: English on a Chinese screen {sorted(words)}")
            if name in SHOWN:
                keep(page, size, name, layout["height"])
    finally:
        page.close()
    assert not problems, "\n".join(problems)
    assert not outside(requests, server), outside(requests, server)


def presentation_links(browser, url: str) -> tuple[object, dict[str, str]]:  # (browser context, links)
    """The meeting page's two links (presentation, big screen), read as the leader's browser sees them."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{url}/meeting")
    ready(page)
    links = {
        kind: url + "/" + page.get_by_role("link", name=label).get_attribute("href").lstrip("./")
        for kind, label in (("meeting", "开始演示（全屏）"), ("screen", "数据大屏（自动轮播）"))
    }
    return context, links


@contextmanager
def presenting(browser, url: str, size: tuple[int, int] = (1920, 1080)) -> Iterator[tuple[object, list[str]]]:
    """A page showing the presentation at its first slide, and every request it made (from the first)."""
    leader, links = presentation_links(browser, url)
    page = leader.new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    requests = recorded(page, url)
    try:
        page.goto(links["meeting"])
        page.wait_for_function("document.body.dataset.slide === '1'")
        yield page, requests
    finally:
        leader.close()


SLIDE_CHECK = """() => {
  const slide = document.querySelector('.slide.on'), scale = parseFloat(document.body.dataset.scale);
  const box = slide.getBoundingClientRect();
  const over = [slide, ...slide.querySelectorAll('*')]
    .filter(e => getComputedStyle(e).overflow === 'hidden' || e === slide)
    .filter(e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)
    .map(e => e.tagName + '.' + e.className);
  const size = e => parseFloat(getComputedStyle(e).fontSize) * scale;
  const ticks = [...slide.querySelectorAll('.xtick text, .ytick text')].map(size);
  return {kind: slide.dataset.kind, n: document.body.dataset.slide, over, scale,
          inside: box.left >= -1 && box.top >= -1 && box.right <= innerWidth + 1 && box.bottom <= innerHeight + 1,
          scroll: document.documentElement.scrollHeight - innerHeight,
          title: size(slide.querySelector('h1')), smallestTick: ticks.length ? Math.min(...ticks) : null};
}"""


@pytest.mark.parametrize("size", SIZES)
def test_presentation_owns_the_screen_and_every_slide_fits(browser, server: str, size: str) -> None:
    with presenting(browser, server, SIZES[size]) as (page, requests):
        assert not page.locator("[data-testid=stSidebar], header, [data-testid=stToolbar]").count()
        total = page.evaluate("document.querySelectorAll('.slide').length")
        before = len(requests)
        seen, problems = [], []
        for n in range(1, total + 1):
            check = page.evaluate(SLIDE_CHECK)
            seen.append(check["kind"])
            if check["over"] or not check["inside"] or check["scroll"] > 0:
                problems.append(f"slide {n} ({check['kind']}) does not fit: {check}")
            if size == "projector":
                if check["title"] < 40:
                    problems.append(f"slide {n}: title {check['title']:.1f} px")
                if check["smallestTick"] is not None and check["smallestTick"] < 20:
                    problems.append(f"slide {n}: axis labels {check['smallestTick']:.1f} px")
                path = ARTIFACTS / "screens" / "slides"
                path.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(path / f"slide-{n:02d}.png"))
                if os.environ.get("REFORM_SCREENSHOTS") == "1" and check["kind"] in (
                    "kpis",
                    "chart",
                    "ranking",
                    "table",
                ):
                    (ROOT / "docs" / "screenshots" / "slides").mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(ROOT / "docs" / "screenshots" / "slides" / f"{check['kind']}.png"))
            elif n == 3:
                page.screenshot(path=str(ARTIFACTS / "screens" / size / "slide-chart.png"))
            page.keyboard.press("PageDown" if n % 2 else "ArrowRight")  # clickers send PageDown
        assert not problems, "\n".join(problems)
        assert {"title", "kpis", "chart", "ranking", "table"} <= set(seen)
        assert len(requests) == before, requests[before:]  # turning a slide asks the server for nothing
        page.keyboard.press("PageUp")
        page.keyboard.press("ArrowLeft")
        assert page.evaluate("document.body.dataset.slide") == str(total - 2)
        page.keyboard.press("Home")
        assert page.evaluate("document.body.dataset.slide") == "1"
        page.keyboard.press("f")
        page.wait_for_function("document.fullscreenElement !== null", timeout=5_000)
        assert not outside(requests, server), outside(requests, server)


def test_slide_change_is_immediate(browser, server: str) -> None:
    """From the key press to the next slide on screen, measured in the page (2 frames at most)."""
    with presenting(browser, server) as (page, _):
        times = page.evaluate(
            """async () => {
              const times = [];
              for (let i = 0; i < 10; i++) {
                const start = performance.now();
                document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight'}));
                await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                times.push(performance.now() - start);
              }
              return times;
            }"""
        )
        assert max(times) < 300, times


def test_a_presentation_link_is_bound_to_its_browser_and_cannot_be_forged(browser, server: str) -> None:
    leader, links = presentation_links(browser, server)
    stranger = browser.new_context()
    try:
        other = stranger.new_page()
        response = other.goto(links["meeting"])
        assert response.status == 403 and "只能在生成它的浏览器中打开" in other.inner_text("body")
        payload = links["meeting"].rpartition("/")[2].partition(".")[0]
        forged = links["meeting"].replace(payload, payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1])
        page = leader.new_page()
        assert page.goto(forged).status == 404
        assert page.goto(links["meeting"]).status == 200
    finally:
        stranger.close()
        leader.close()


def test_the_big_screen_advances_and_picks_up_new_data(browser, sample_db: Path, tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    config["meeting"].update({"screen_seconds": 1, "screen_poll_seconds": 1})
    config["storage"]["sample_dir"] = str(ROOT / "data" / "sample")
    fast = tmp_path / "config.yaml"
    fast.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    upload = tmp_path / "funding.csv"
    upload.write_bytes("镇街,年度,经费类型,金额（元）\n溱潼镇,2025,青少年发展专项,1.5万\n".encode("gbk"))
    os.environ["REFORM_CONFIG"] = str(fast)
    try:
        with served_copy(sample_db, tmp_path) as url:
            leader, links = presentation_links(browser, url)
            screen = leader.new_page()
            screen.set_viewport_size({"width": 1920, "height": 1080})
            screen.goto(links["screen"])
            screen.wait_for_function("document.body.dataset.slide === '1'")
            started = time.monotonic()
            screen.wait_for_function("parseInt(document.body.dataset.slide) >= 3", timeout=10_000)
            assert time.monotonic() - started < 6  # one slide a second, as configured
            version = screen.evaluate("JSON.parse(document.querySelector('meta[name=deck]').content).version")
            clerk = leader.new_page()
            clerk.goto(f"{url}/upload")
            clerk.locator("input[type='file']").set_input_files(str(upload))
            clerk.get_by_text("检查通过").wait_for(timeout=120_000)
            clerk.get_by_role("button", name="确认保存").click()
            clerk.get_by_text("已保存：第").wait_for(timeout=120_000)
            screen.wait_for_function(
                f"JSON.parse(document.querySelector('meta[name=deck]').content).version > {version}", timeout=20_000
            )
            leader.close()
    finally:
        os.environ.pop("REFORM_CONFIG", None)
