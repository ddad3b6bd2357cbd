"""The meeting deck as PowerPoint: 16:9, one slide each, CJK font, summary in the notes too.

The font is 微软雅黑 (Microsoft YaHei): every Chinese Windows since Vista has it, and WPS
and PowerPoint there show it as designed (a font named but missing, such as Noto Sans
CJK, is substituted and lines reflow). On machines without it the slides still open with
the system's CJK font.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from metrics.base import KpiResult
from metrics.slides import Deck, Slide
from reform import i18n
from reform.export import cell_text, images

FONT = "Microsoft YaHei"  # the Latin name; East Asian runs name 微软雅黑
EA_FONT = "微软雅黑"
RED, DARK, GREY = RGBColor(0xC8, 0x10, 0x2E), RGBColor(0x1F, 0x23, 0x29), RGBColor(0x6B, 0x72, 0x80)
STATUS = {"green": "2E8B57", "amber": "E0A100", "red": "C8102E", "none": "9AA0A6", "info": "1F5FAD"}
WIDTH, HEIGHT = Emu(12_192_000), Emu(6_858_000)  # 16:9, as PowerPoint defines it


def _font(run, size: int, *, bold: bool = False, color: RGBColor = DARK) -> None:
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
    run.font.color.rgb = color
    r_pr = run._r.get_or_add_rPr()  # East Asian glyphs take the a:ea typeface, not a:latin
    ea = r_pr.find(qn("a:ea"))
    if ea is None:
        ea = etree.SubElement(r_pr, qn("a:ea"))
    ea.set("typeface", EA_FONT)


def _text(
    slide, left: float, top: float, width: float, height: float, lines: list[str], size: int, **style: object
) -> None:
    frame = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height)).text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(size * 0.4)
        _font(paragraph.add_run(), size, **style)
        paragraph.runs[0].text = line


def _frame(slide, content: Slide) -> None:
    bar = slide.shapes.add_shape(1, Inches(0), Inches(0.35), Inches(0.18), Inches(0.8))
    bar.fill.solid()
    bar.fill.fore_color.rgb = RED
    bar.line.fill.background()
    _text(slide, 0.45, 0.25, 12.4, 0.9, [content.title], 30, bold=True)
    if content.subtitle:
        _text(slide, 0.45, 1.0, 12.4, 0.4, [content.subtitle], 14, color=GREY)
    _text(slide, 0.45, 7.0, 12.4, 0.4, [content.footnote], 11, color=GREY)


def _table(slide, frame: pd.DataFrame, left: float, top: float, width: float, size: int, space: float = 5.3) -> None:
    rows, cols = len(frame) + 1, len(frame.columns)
    row_height = min(Inches(0.6), int(Inches(space) / rows))  # ``space`` inches tall at most, above what follows
    shape = slide.shapes.add_table(rows, cols, Inches(left), Inches(top), Inches(width), Emu(row_height * rows))
    table = shape.table
    for row in table.rows:
        row.height = Emu(row_height)
    for j, name in enumerate(frame.columns):
        table.cell(0, j).text = str(name)
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            table.cell(i, j).text = cell_text(value)
    for cell in (table.cell(i, j) for i in range(rows) for j in range(cols)):
        for paragraph in cell.text_frame.paragraphs:
            for run in paragraph.runs:
                _font(
                    run,
                    size,
                    color=RGBColor(0xFF, 0xFF, 0xFF) if cell in [table.cell(0, j) for j in range(cols)] else DARK,
                )


def _kpi_rows(kpis: list[KpiResult], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            i18n.t("meeting.col_kpi", lang): [i18n.t(k.label, lang) for k in kpis],
            i18n.t("meeting.col_value", lang): [k.display(lang) for k in kpis],
            i18n.t("meeting.col_target", lang): [k.display_target(lang) for k in kpis],
            i18n.t("meeting.col_status", lang): [i18n.t(f"status.{k.status}", lang) for k in kpis],
            i18n.t("kpi.vs_previous", lang): [k.display_change(lang) or "—" for k in kpis],
            i18n.t("meeting.col_period", lang): [k.display_coverage(lang) for k in kpis],
        }
    )


def _colour_status(slide, kpis: list[KpiResult]) -> None:
    table = next(s for s in slide.shapes if s.has_table).table
    for i, k in enumerate(kpis, start=1):
        cell = table.cell(i, 3)
        cell.fill.solid()
        cell.fill.fore_color.rgb = RGBColor.from_string(STATUS[k.status])
        for run in cell.text_frame.paragraphs[0].runs:
            run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)


def _body(slide, content: Slide, lang: str) -> None:
    if content.kind == "title":
        _text(slide, 0.9, 2.2, 11.5, 1.2, [content.title], 40, bold=True)
        _text(slide, 0.9, 3.4, 11.5, 0.6, [content.subtitle], 18, color=GREY)
        _text(slide, 0.9, 4.3, 11.5, 2.5, content.summary, 20)
        return
    if content.kind == "chart" and content.figure is not None:
        picture = images.png(images.for_slide(content.figure), 1600, 900)
        slide.shapes.add_picture(io.BytesIO(picture), Inches(0.45), Inches(1.45), width=Inches(8.6))
    elif content.kind == "kpis":
        _table(slide, _kpi_rows(content.kpis, lang), 0.45, 1.55, 8.6, 14)
        _colour_status(slide, content.kpis)
    elif content.kind == "ranking":  # 红榜 and 黑榜 side by side, the summary below
        for left, (heading, frame) in zip((0.45, 6.85), content.sides, strict=True):
            _text(slide, left, 1.45, 6.0, 0.5, [heading], 22, bold=True, color=RED if left < 1 else DARK)
            _table(slide, frame, left, 2.05, 6.0, 20 if len(frame) <= 6 else 14, space=3.8)  # a tie: all of it
        _text(slide, 0.45, 6.0, 12.4, 0.9, content.summary, 16)
        return
    elif content.table is not None:  # a league page: the full width, the summary below
        _table(slide, content.table, 0.45, 1.45, 12.4, 14, space=4.6)
        _text(slide, 0.45, 6.2, 12.4, 0.7, content.summary, 14)
        return
    _text(slide, 9.3, 1.55, 3.7, 5.3, content.summary, 16)


def write(deck: Deck, lang: str = i18n.DEFAULT, progress: Callable[[int, int], None] | None = None) -> bytes:
    """The deck as a .pptx file."""
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = WIDTH, HEIGHT
    layout = presentation.slide_layouts[6]  # blank
    for n, content in enumerate(deck.slides, start=1):
        slide = presentation.slides.add_slide(layout)
        if content.kind != "title":
            _frame(slide, content)
        else:
            _text(slide, 0.45, 7.0, 12.4, 0.4, [content.footnote], 11, color=GREY)
        _body(slide, content, lang)
        slide.notes_slide.notes_text_frame.text = "\n".join(content.summary)
        if progress:
            progress(n, len(deck.slides))
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()
