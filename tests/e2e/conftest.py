"""Fixtures of the end-to-end suite: the real server on a free port, Debian chromium through Playwright.

Skipped, with a message, only where chromium is not installed; CI sets REFORM_REQUIRE_BROWSER=1
and then a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"

if not Path(CHROMIUM).exists():
    if os.environ.get("REFORM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} is required here (REFORM_REQUIRE_BROWSER=1) but missing", pytrace=False)
    pytest.skip(
        f"real-browser tests skipped: {CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True
    )

playwright = pytest.importorskip("playwright.sync_api")


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
        "serve.py",  # the dashboard behind its guard, as `make run` serves it
        "--server.port",
        str(port),
        "--server.headless",
        "true",
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    log = (ARTIFACTS / f"server-{port}.log").open(
        "wb"
    )  # a file, not a pipe nobody reads (a full pipe stalls the server)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
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


@contextmanager
def served_copy(source: Path, folder: Path, prepare: Callable[[Path], object] | None = None) -> Iterator[str]:
    """The real server on a copy of ``source`` (after ``prepare(copy)``), stopped afterwards."""
    db = folder / "served.duckdb"
    shutil.copy(source, db)
    if prepare is not None:
        prepare(db)
    process, url = serve(db)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sample_db: Path) -> Iterator[str]:
    with served_copy(sample_db, tmp_path_factory.mktemp("browser")) as url:
        yield url


@pytest.fixture(scope="session")
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
