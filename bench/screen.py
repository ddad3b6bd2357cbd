"""Presentation mode and the big screen (数据大屏): what a slide change and a long run cost.

``python -m bench.screen [--advances 2000] [--versions 20]``

Starts the real server (``serve.py``) on a copy of the sample store, opens a big-screen link
in Debian's Chromium at 1920×1080, and measures, all in this one run:

1. server time per request, as ratios to the server's bare health check (``/_stcore/health``)
   timed in the same loop: the version check a big screen makes every poll, the deck page
   built (first request of a version) and served from the deck cache; and the requests a
   slide change makes (none: the slides are in the page);
2. the time from a key press to the next slide drawn, in the page (two animation frames);
3. ``advances`` slide changes (the big screen's own ``show``), with a version check every
   10 of them, then ``versions`` new data versions each reloading the page: the server's and
   the page's resident memory (JS heap, DOM nodes) before and after, as growth in per cent.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.abuse import rss_mib, start
from bench.common import machine

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


def fetch_ms(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - 127.0.0.1 only
        response.read()
    return (time.perf_counter() - started) * 1000


def link(db: Path) -> str:
    """A big-screen link for the sample store's local user (no accounts, no browser binding)."""
    os.environ["REFORM_DB"] = str(db)
    from reform import auth
    from reform.config import load
    from ui import present

    cfg = load()
    showing = present.showing_for(
        auth.LOCAL_USER, None, "screen", version=0, keys=(), lang="zh", first_year=2021, last_year=2025, townships=()
    )
    return present.link(showing, cfg)


def commit_version(db: Path, n: int) -> None:
    """A new data version, as a clerk's upload makes one (through the CLI, in its own process)."""
    import subprocess

    csv = db.parent / f"funding-{n}.csv"
    csv.write_bytes(f"镇街,年度,经费类型,金额（元）\n溱潼镇,2025,青少年发展专项,{15000 + n}\n".encode("gbk"))
    done = subprocess.run(
        [sys.executable, "-m", "reform", "--db", str(db), "ingest", str(csv)],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(done.stderr.decode()[-2000:])


def page_memory(cdp) -> tuple[float, int]:
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return metrics["JSHeapUsedSize"] / 2**20, int(metrics["Nodes"])


def server_times(url: str, path: str) -> dict[str, float]:
    """Median ms of each request a screen makes, and the bare health check timed in the same loop."""
    first = fetch_ms(f"{url}/{path}")
    health, version, cached = [], [], []
    for _ in range(30):
        health.append(fetch_ms(f"{url}/_stcore/health"))
        version.append(fetch_ms(f"{url}/{path}/version"))
        cached.append(fetch_ms(f"{url}/{path}"))
    times = {"base": statistics.median(health), "version": statistics.median(version)}
    times |= {"built": first, "cached": statistics.median(cached)}
    base = times["base"]
    print(f"health check (baseline)          {base:7.1f} ms")
    for key, label in (("version", "version check (every poll)"), ("built", "deck page, built (new version)")):
        print(f"{label:32} {times[key]:7.1f} ms  {times[key] / base:6.1f}×")
    print(f"{'deck page, from the deck cache':32} {times['cached']:7.1f} ms  {times['cached'] / base:6.1f}×")
    return times


TURNS = """async () => { const t = [];
  for (let i = 0; i < 50; i++) { const s = performance.now();
    document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight'}));
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    t.push(performance.now() - s); }
  return t; }"""
ADVANCES = """async ([n, check]) => {
  for (let i = 0; i < n; i++) {
    document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight'}));
    if (i % 10 === 0) { await fetch(check, {cache: 'no-store'}).then(r => r.json()); }
    if (i % 50 === 0) { await new Promise(r => setTimeout(r, 0)); }
  } }"""


def growth(label: str, before: float, after: float, unit: str = "MiB") -> float:
    change = after / before - 1
    print(f"  {label:11} {before:7.1f} → {after:7.1f} {unit} ({change * 100:+.1f}%)")
    return change


def long_run(url: str, path: str, db: Path, pid: int, advances: int, versions: int) -> dict[str, float]:
    """Slide turns in the page, then ``advances`` big-screen advances, then ``versions`` reloads."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto(f"{url}/{path}")
        page.wait_for_function("document.body.dataset.slide === '1'")
        turns = page.evaluate(TURNS)
        asked = len(requests)
        page.evaluate("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight'}))")
        turn_requests = len(requests) - asked
        print(f"slide change, key to drawn       {statistics.median(turns):7.1f} ms median, {max(turns):.1f} max")
        print(f"requests per slide change        {turn_requests}")
        cdp.send("HeapProfiler.collectGarbage")
        server_before, (heap_before, nodes_before) = rss_mib(pid), page_memory(cdp)
        started = time.perf_counter()
        page.evaluate(ADVANCES, [advances, f"{url}/{path}/version"])
        spent = time.perf_counter() - started
        cdp.send("HeapProfiler.collectGarbage")
        server_mid, (heap_mid, nodes_mid) = rss_mib(pid), page_memory(cdp)
        for n in range(versions):
            commit_version(db, n)
            page.reload()
            page.wait_for_function("document.body.dataset.slide")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        cdp.send("HeapProfiler.collectGarbage")
        server_after, (heap_after, nodes_after) = rss_mib(pid), page_memory(cdp)
        browser.close()
    print(f"{advances} advances in {spent:.1f} s ({advances // 10} version checks):")
    result = {"turn_ms": statistics.median(turns), "turn_requests": turn_requests}
    result["server_growth"] = growth("server RSS", server_before, server_mid)
    result["heap_growth"] = growth("page heap", heap_before, heap_mid)
    print(f"  page nodes  {nodes_before:7d} → {nodes_mid:7d}")
    print(f"then {versions} new data versions, each reloading the page:")
    result["server_growth_versions"] = growth("server RSS", server_mid, server_after)
    growth("page heap", heap_mid, heap_after)
    print(f"  page nodes  {nodes_mid:7d} → {nodes_after:7d}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advances", type=int, default=2000)
    parser.add_argument("--versions", type=int, default=20)
    args = parser.parse_args(argv)
    from reform import sample
    from reform.config import load
    from reform.store import Store

    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "screen.duckdb"
        sample.load(Store(db), load())
        process, url = start(db)
        try:
            path = link(db)
            times = server_times(url, path)
            result = long_run(url, path, db, process.pid, args.advances, args.versions)
            print(json.dumps({**times, **result}))
        finally:
            process.terminate()
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
