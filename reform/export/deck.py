"""One entry for the meeting pack: build the deck once, write it as PPTX, PDF or HTML."""

from __future__ import annotations

from collections.abc import Callable

from metrics.slides import Deck
from reform import i18n
from reform.export import deck_html, deck_pdf, deck_pptx

FORMATS: dict[str, tuple[str, str]] = {  # format -> (file ending, MIME type)
    "pptx": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "pdf": ("pdf", "application/pdf"),
    "html": ("html", "text/html"),
}


def write(deck: Deck, fmt: str, lang: str = i18n.DEFAULT, progress: Callable[[int, int], None] | None = None) -> bytes:
    """The deck in one format; ``progress(done, total)`` is called per slide where it can be."""
    if fmt == "pptx":
        return deck_pptx.write(deck, lang, progress)
    if fmt == "pdf":
        return deck_pdf.write(deck, lang)
    if fmt == "html":
        return deck_html.write(deck, lang)
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


def file_name(deck: Deck, fmt: str) -> str:
    return f"{deck.title}-数据版本{deck.version}.{FORMATS[fmt][0]}"
