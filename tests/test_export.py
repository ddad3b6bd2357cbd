"""The meeting pack: PPTX reopens with its slides, the PDF has a page per slide with Chinese text,
and the HTML file draws every chart in a browser with the network off."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from metrics import slides
from metrics.base import Scope
from reform.audience import View
from reform.config import Config
from reform.export import deck as deck_export
from reform.export import deck_html
from reform.store import Store

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
needs_browser = pytest.mark.skipif(
    not CHROMIUM.exists() and os.environ.get("REFORM_REQUIRE_BROWSER") != "1",
    reason="chart images and PDF need Debian chromium (apt-get install chromium)",
)


# Noto CJK maps some glyphs back to CJK radicals when text is extracted (⼲ for 干, ⻘ for 青); the page shows
# the right characters. NFKC folds the Kangxi radicals; the supplement ones need this table.
RADICALS = str.maketrans(
    "⻘⻓⻔⻜⻢⻥⻬⻆⻄⻅⻛⻚⻋⻙⻝⻉⻩⻤⻨⻰⻳⻮⻪⻧", "青长门飞马鱼齐角西见风页车韦食贝黄鬼麦龙龟齿黾卤"
)


def plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(RADICALS).replace("\n", "")


@pytest.fixture(scope="module")
def deck(sample_db: Path, cfg: Config) -> slides.Deck:
    store = Store(sample_db)
    return slides.build(store, cfg, View(store.data_version(), None, Scope(2021, 2025)))


def test_html_is_self_contained_and_escaped(deck: slides.Deck) -> None:
    page = deck_html.write(deck).decode("utf-8")
    assert "<script src=" not in page and "<link " not in page  # nothing is fetched
    assert page.count("class='slide") == len(deck.slides)
    assert page.count("Plotly.newPlot(") == sum(s.kind == "chart" for s in deck.slides)
    assert "姜堰区基层团组织改革进展汇报" in page


def test_user_text_cannot_break_out_of_the_html(deck: slides.Deck) -> None:
    evil = slides.Slide(
        "x", "table", "<script>alert(1)</script>", table=None, summary=["</script><b>x</b>"], footnote=""
    )
    page = deck_html.write(slides.Deck("t", 1, "now", [evil])).decode("utf-8")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "</script><b>" not in page


@needs_browser
def test_pptx_reopens_with_every_slide_title_summary_and_picture(deck: slides.Deck) -> None:
    data = deck_export.write(deck, "pptx")
    presentation = Presentation(io.BytesIO(data))
    assert len(presentation.slides) == len(deck.slides)
    assert presentation.slide_width * 9 == presentation.slide_height * 16
    for built, content in zip(presentation.slides, deck.slides, strict=True):
        texts = " ".join(shape.text_frame.text for shape in built.shapes if shape.has_text_frame)
        assert content.title in texts
        assert all(line in texts for line in content.summary)
        assert content.footnote in texts
        pictures = [s for s in built.shapes if s.shape_type == 13]
        assert len(pictures) == (1 if content.kind == "chart" else 0)
        assert built.notes_slide.notes_text_frame.text == "\n".join(content.summary)


@needs_browser
def test_pdf_has_one_page_per_slide_with_the_chinese_titles(deck: slides.Deck) -> None:
    reader = PdfReader(io.BytesIO(deck_export.write(deck, "pdf")))
    assert len(reader.pages) == len(deck.slides)
    for page, content in zip(reader.pages, deck.slides, strict=True):
        assert page.mediabox.width > page.mediabox.height  # landscape
        text = plain(page.extract_text())
        assert plain(content.title) in text


@needs_browser
def test_export_command_writes_all_three_formats(sample_db: Path, tmp_path: Path) -> None:
    for fmt in ("pptx", "pdf", "html"):
        out = tmp_path / f"pack.{fmt}"
        result = subprocess.run(
            [sys.executable, "-m", "reform", "--db", str(sample_db), "export", "--format", fmt, "--out", str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert out.stat().st_size > 10_000 and "16 页" in result.stdout
