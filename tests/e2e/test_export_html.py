"""The exported HTML meeting pack draws every chart in a real browser with the network off."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics import slides
from metrics.base import Scope
from reform.audience import View
from reform.config import Config
from reform.export import deck_html
from reform.store import Store

pytestmark = pytest.mark.browser


def test_html_draws_every_chart_with_the_network_off(browser, sample_db: Path, cfg: Config, tmp_path: Path) -> None:
    store = Store(sample_db)
    deck = slides.build(store, cfg, View(store.data_version(), None, Scope(2021, 2025)))
    path = tmp_path / "deck.html"
    path.write_bytes(deck_html.write(deck))
    requests: list[str] = []
    context = browser.new_context(offline=True)
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    charts = sum(s.kind == "chart" for s in deck.slides)
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .plot-container').length >= {charts}", timeout=60_000
    )
    assert page.locator(".js-plotly-plot").count() == charts
    assert page.locator(".js-plotly-plot .trace, .js-plotly-plot .slice").count() >= charts
    context.close()
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
