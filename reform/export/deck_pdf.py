"""The meeting deck as a landscape PDF: the HTML deck printed by headless Chromium, one slide a page."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from metrics.slides import Deck
from reform import i18n
from reform.export import deck_html
from reform.export.images import ExportError, browser

TIMEOUT_S = 120


def write(deck: Deck, lang: str = i18n.DEFAULT) -> bytes:
    """Print the HTML deck; ``--virtual-time-budget`` lets every chart draw before printing."""
    chromium = browser()
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "deck.html", Path(tmp) / "deck.pdf"
        source.write_bytes(deck_html.write(deck, lang))
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={tmp}/profile",
            "--no-pdf-header-footer",
            "--virtual-time-budget=30000",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ExportError(f"chromium did not finish printing within {TIMEOUT_S} s") from exc
        if not target.exists():
            raise ExportError("chromium printed no PDF")
        return target.read_bytes()
