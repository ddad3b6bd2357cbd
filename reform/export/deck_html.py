"""The meeting deck as one self-contained HTML file: plotly.js inline, so it opens with no internet.

Each slide is a 16:9 section (1280×720 CSS pixels) that also prints as one page, which
is how the PDF is made. Every text is escaped; figure JSON is made safe inside <script>.
"""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from metrics.charts import FONT, RAG
from metrics.slides import Deck, Slide
from reform import i18n
from reform.export import cell_text
from reform.text import inert_html

CSS = f"""
@page {{ size: 1280px 720px; margin: 0; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; background: #E9ECF1; font-family: {FONT}; color: #1F2329; }}
.slide {{ width: 1280px; height: 720px; margin: 24px auto; background: white; position: relative; overflow: hidden;
  padding: 36px 48px 48px 60px; box-shadow: 0 2px 12px rgba(0,0,0,.15);
  break-after: page; page-break-after: always; }}
.slide:last-child {{ break-after: auto; page-break-after: auto; }}
.slide::before {{ content: ""; position: absolute; left: 0; top: 40px; width: 14px; height: 64px;
  background: #C8102E; }}
h1 {{ font-size: 34px; margin: 0 0 6px; }}
.subtitle {{ color: #6B7280; font-size: 16px; margin-bottom: 14px; }}
.body {{ display: flex; gap: 28px; height: 540px; }}
.main {{ flex: 0 0 820px; height: 520px; }}
.summary {{ flex: 1; font-size: 19px; line-height: 1.6; }}
.summary p {{ margin: 0 0 12px; }}
.footnote {{ position: absolute; left: 60px; bottom: 14px; color: #6B7280; font-size: 13px; }}
table {{ border-collapse: collapse; width: 100%; font-size: 15px; }}
th {{ background: #C8102E; color: white; padding: 6px 8px; text-align: left; }}
td {{ border-bottom: 1px solid #E5E7EB; padding: 5px 8px; }}
table.kpis {{ font-size: 21px; }} table.kpis td {{ padding: 12px 10px; }}
.status {{ color: white; border-radius: 6px; padding: 3px 10px; }}
.title-slide h1 {{ font-size: 46px; margin-top: 170px; }}
.title-slide .summary {{ font-size: 22px; margin-top: 28px; }}
@media print {{ body {{ background: white; }} .slide {{ margin: 0; box-shadow: none; }} }}
"""


def _e(text: object) -> str:
    return inert_html(text)


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_e(cell_text(v))}</td>" for v in row) + "</tr>" for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _kpis(slide: Slide, lang: str) -> str:
    rows = "".join(
        f"<tr><td>{_e(i18n.t(k.label, lang))}</td><td><b>{_e(k.display(lang))}</b></td>"
        f"<td>{_e(k.display_target(lang))}</td><td><span class='status' style='background:{RAG[k.status]}'>"
        f"{_e(i18n.t(f'status.{k.status}', lang))}</span></td></tr>"
        for k in slide.kpis
    )
    return f"<table class='kpis'><tbody>{rows}</tbody></table>"


def _figure(slide: Slide, n: int) -> str:
    fig = go.Figure(slide.figure)  # a copy: the deck's figure stays as built
    fig.update_layout(
        font={"family": FONT, "size": 18},
        autosize=False,
        width=820,
        height=520,
        title_text="",
        margin={"l": 40, "r": 20, "t": 20, "b": 40},
    )
    spec = fig.to_json().replace("</", "<\\/")  # no text in the data can close the script element
    return (
        f"<div id='fig{n}' class='main'></div>"
        f"<script>(function(){{var f={spec};"
        f"Plotly.newPlot('fig{n}',f.data,f.layout,{{staticPlot:true}});}})();</script>"
    )


def _slide(slide: Slide, n: int, lang: str) -> str:
    summary = "".join(f"<p>{_e(s)}</p>" for s in slide.summary)
    if slide.kind == "title":
        return (
            f"<section class='slide title-slide'><h1>{_e(slide.title)}</h1>"
            f"<div class='subtitle'>{_e(slide.subtitle)}</div>"
            f"<div class='summary'>{summary}</div><div class='footnote'>{_e(slide.footnote)}</div></section>"
        )
    if slide.kind == "chart" and slide.figure is not None:
        main = _figure(slide, n)
    elif slide.kind == "kpis":
        main = f"<div class='main'>{_kpis(slide, lang)}</div>"
    else:
        main = f"<div class='main'>{_table(slide.table if slide.table is not None else pd.DataFrame())}</div>"
    return (
        f"<section class='slide'><h1>{_e(slide.title)}</h1><div class='subtitle'>{_e(slide.subtitle)}</div>"
        f"<div class='body'>{main}<div class='summary'>{summary}</div></div>"
        f"<div class='footnote'>{_e(slide.footnote)}</div></section>"
    )


def write(deck: Deck, lang: str = i18n.DEFAULT) -> bytes:
    """The deck as one HTML file that needs no network."""
    slides = "\n".join(_slide(s, n, lang) for n, s in enumerate(deck.slides))
    meta = json.dumps({"version": deck.version, "as_of": deck.as_of, "slides": len(deck.slides)})
    page = (
        f"<!doctype html><html lang='{'en' if lang == 'en' else 'zh-CN'}'><head><meta charset='utf-8'>"
        f"<title>{_e(deck.title)}</title><meta name='deck' content='{_e(meta)}'><style>{CSS}</style>"
        f"<script>{get_plotlyjs()}</script></head><body>\n{slides}\n</body></html>"
    )
    return page.encode("utf-8")
