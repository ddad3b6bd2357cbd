"""Chart images for the exports: plotly figures to PNG through kaleido and Debian's chromium.

kaleido's server is started once per process (the first image takes ~2 s, the next
~0.2 s). Without a browser the export says so at once instead of hanging.
"""

from __future__ import annotations

import shutil
import threading
import warnings
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

from metrics.charts import FONT

_lock = threading.Lock()
_started = False
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


class ExportError(RuntimeError):
    """An export cannot be made here (no browser); the message says what to install."""


def browser() -> str:
    """The path of a Chromium, or an ExportError naming the package to install."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    raise ExportError("chromium not found (apt-get install chromium fonts-noto-cjk)")


def _start() -> None:
    global _started  # noqa: PLW0603 - one kaleido server per process
    with _lock:
        if not _started:
            browser()
            import kaleido

            kaleido.start_sync_server(silence_warnings=True)
            _started = True


def for_slide(fig: go.Figure, font_size: int = 22) -> go.Figure:
    """A copy of a dashboard figure with type large enough for a projector."""
    big = go.Figure(fig)
    big.update_layout(
        font={"family": FONT, "size": font_size}, title_text="", margin={"l": 30, "r": 30, "t": 30, "b": 30}
    )
    return big


def png(fig: go.Figure, width: int = 1600, height: int = 900) -> bytes:
    """A PNG of the figure at a 16:9 size."""
    _start()
    with warnings.catch_warnings():  # plotly warns that options it passes are ignored by the server
        warnings.simplefilter("ignore", UserWarning)
        return pio.to_image(fig, format="png", width=width, height=height, scale=1)
