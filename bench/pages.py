"""(c) and (d): a page rerun with a warm cache, in server time, on province stores of growing size.

Run: ``python -m bench.pages [TOWNSHIPS ...]`` (default 12 120 1200: about 10k, 100k and 1M stored
rows). Each page of the real app runs through Streamlit's AppTest (the script, every widget and
chart, the cache look-ups and the data-version check): once cold, then reruns with a warm cache.
The baseline is a rerun of a minimal Streamlit script (a title and a line of text) in the same
process: the framework's own floor.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.common import machine, median_time, province

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("overview", "staffing", "venues", "pathways", "funding", "inspections", "completeness")
REPEAT = 5


def floor() -> float:
    """Median rerun time of a minimal Streamlit script."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "minimal.py"
        script.write_text('import streamlit as st\nst.title("基线")\nst.write("一行文字")\n', encoding="utf-8")
        at = AppTest.from_file(str(script), default_timeout=60)
        at.run()
        return median_time(REPEAT, at.run)


def page_times(townships: int) -> dict[str, tuple[float, float]]:
    """Per page: (cold run, median warm rerun) in seconds, on the province store of that size."""
    config_path, database = province(townships)
    os.environ["REFORM_CONFIG"], os.environ["REFORM_DB"] = str(config_path), str(database)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    times = {}
    for page in PAGES:
        start = time.perf_counter()
        at.run() if page == PAGES[0] else at.switch_page(f"app_pages/{page}.py").run()  # the first is the home page
        cold = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception}")
        times[page] = (cold, median_time(REPEAT, at.run))
    return times


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [12, 120, 1200]
    base = floor()
    print(f"# page reruns: {machine()}")
    print(f"# baseline: minimal script rerun {base * 1000:.1f} ms")
    print("townships\tpage\tcold_s\twarm_rerun_ms\tratio_to_minimal_script")
    for townships in sizes:
        for page, (cold, warm) in page_times(townships).items():
            print(f"{townships}\t{page}\t{cold:.2f}\t{warm * 1000:.1f}\t{warm / base:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
