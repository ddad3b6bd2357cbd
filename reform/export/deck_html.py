"""The meeting deck as one HTML document: presentation mode, the big screen and the HTML pack.

One slide at a time fills the screen: each slide is laid out at 1280×720 CSS pixels and
scaled to the window (16:9, letterboxed), so the same slide is sharp from a 1280×720
projector to a 3840×2160 screen. Keys: → / PageDown / Space next, ← / PageUp previous
(presentation clickers send PageUp/PageDown), Home/End, F full screen. Printed (the PDF
pack) every slide is one 1280×720 page.

Every text is escaped; figure JSON is made safe inside <script>. The pack inlines
plotly.js so it opens with no network; the served presentation loads it from this
server (``plotly_src``) so a big screen reloading for new data does not fetch 4 MB anew.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from metrics.base import KpiResult
from metrics.charts import FONT, RAG
from metrics.slides import Deck, Slide
from reform import i18n
from reform.export import cell_text
from reform.text import inert_html

WIDTH, HEIGHT = 1280, 720  # the slide's design size; the viewer scales it to the screen
CHART_W, CHART_H = 820, 520  # a chart beside its summary
CHART_FONT = 16  # design px: 24 px on a 1080p screen (scale 1.5)

CSS = f"""
@page {{ size: {WIDTH}px {HEIGHT}px; margin: 0; }}
* {{ box-sizing: border-box; }}
html, body {{ margin: 0; height: 100%; }}
body {{ background: #0B0D10; font-family: {FONT}; color: #1F2329; overflow: hidden; }}
#stage {{ position: absolute; left: 50%; top: 50%; width: {WIDTH}px; height: {HEIGHT}px;
  transform: translate(-50%, -50%) scale(var(--scale, 1)); transform-origin: center center; }}
.slide {{ display: none; position: absolute; inset: 0; width: {WIDTH}px; height: {HEIGHT}px; background: white;
  overflow: hidden; padding: 34px 52px 46px 64px; }}
.slide.on {{ display: block; }}
.slide::before {{ content: ""; position: absolute; left: 0; top: 38px; width: 14px; height: 58px;
  background: #C8102E; }}
h1 {{ font-size: 30px; line-height: 1.4; margin: 0 0 4px; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }}
.subtitle {{ color: #5F6672; font-size: 17px; height: 24px; margin-bottom: 12px; white-space: nowrap;
  overflow: hidden; }}
.body {{ display: flex; gap: 28px; height: 556px; }}
.main {{ flex: 0 0 {CHART_W}px; height: {CHART_H}px; overflow: hidden; }}
.wide {{ flex: 1 1 auto; height: 556px; overflow: hidden; display: flex; flex-direction: column; gap: 14px; }}
.summary {{ flex: 1; font-size: 20px; line-height: 1.55; height: {CHART_H}px; overflow: hidden; }}
.summary p {{ margin: 0 0 12px; }}
.wide .summary {{ flex: 0 0 auto; height: auto; max-height: 96px; font-size: 19px; }}
.footnote {{ position: absolute; left: 64px; right: 52px; bottom: 8px; color: #5F6672; font-size: 13px;
  line-height: 1.35; max-height: 36px; overflow: hidden; }}
table {{ border-collapse: collapse; width: 100%; font-size: 19px; }}
th {{ background: #C8102E; color: white; padding: 8px 10px; text-align: left; font-weight: 600; white-space: nowrap; }}
td {{ border-bottom: 1px solid #E5E7EB; padding: 8px 10px; white-space: nowrap; }}
.table-box {{ flex: 1 1 auto; overflow: hidden; }}
.table-box table {{ font-size: 1em; }} .table-box {{ font-size: 19px; }}
.table-box th, .table-box td {{ padding: 0.42em 0.5em; }}
.cards {{ display: grid; grid-template-columns: repeat(var(--cols, 3), 1fr); gap: 14px; height: {CHART_H}px;
  overflow: hidden; align-content: start; }}
.card {{ border: 1px solid #E3E6EA; border-left: 8px solid var(--rag); border-radius: 8px; padding: 14px 16px;
  display: flex; flex-direction: column; gap: 6px; min-width: 0; }}
.card .label {{ font-size: 19px; line-height: 1.3; color: #374151; }}
.card .value {{ font-size: 44px; font-weight: 700; line-height: 1.1; white-space: nowrap; }}
.card .target {{ font-size: 16px; color: #5F6672; }}
.card .change {{ font-size: 16px; color: #1F2329; }}
.card .period {{ font-size: 14px; line-height: 1.35; color: #5F6672; }}
.status {{ color: white; border-radius: 6px; padding: 2px 10px; font-size: 17px; align-self: flex-start;
  background: var(--rag); }}
.sides {{ display: flex; gap: 36px; flex: 1 1 auto; overflow: hidden; }}
.side {{ flex: 1; min-width: 0; }}
.side h2 {{ font-size: 24px; margin: 0 0 10px; padding: 6px 12px; color: white; border-radius: 6px; }}
.side.red h2 {{ background: #C8102E; }} .side.black h2 {{ background: #1F2329; }}
.side.black th {{ background: #1F2329; }}
.side table {{ font-size: 24px; }} .side td, .side th {{ padding: 10px 12px; }}
.halves {{ display: flex; gap: 12px; align-items: flex-start; }} .halves table {{ font-size: 22px; }}
.halves td, .halves th {{ padding: 9px 8px; }}
.title-slide {{ background: linear-gradient(180deg, #FFFFFF 0%, #FFFFFF 70%, #FBEFF1 100%); }}
.title-slide h1 {{ font-size: 46px; margin-top: 150px; white-space: normal; overflow: visible; }}
.title-slide .subtitle {{ font-size: 22px; height: auto; margin-top: 10px; }}
.title-slide .summary {{ font-size: 23px; margin-top: 26px; height: 250px; }}
#chrome {{ position: fixed; right: 14px; bottom: 10px; color: #C9CDD3; font: 14px/1.4 {FONT};
  background: rgba(0,0,0,.45); padding: 4px 10px; border-radius: 6px; transition: opacity .6s; user-select: none; }}
#chrome.quiet {{ opacity: 0; }}
#progress {{ position: fixed; left: 0; bottom: 0; height: 4px; background: #C8102E; width: 0; }}
@media print {{
  html, body {{ height: auto; overflow: visible; background: white; }}
  #stage {{ position: static; transform: none; width: auto; height: auto; }}
  .slide {{ display: block; position: relative; break-after: page; page-break-after: always; }}
  .slide:last-child {{ break-after: auto; page-break-after: auto; }}
  #chrome, #progress {{ display: none; }}
}}
"""

# The viewer: scale to the window, one slide at a time, keys and clickers, full screen; on a
# big screen also the timer and the check for a newer data version (then a reload).
VIEWER = """
(function () {
  var options = JSON.parse(document.getElementById('deck-options').textContent);
  var slides = Array.prototype.slice.call(document.querySelectorAll('.slide'));
  var stage = document.getElementById('stage'), chrome = document.getElementById('chrome');
  var progress = document.getElementById('progress'), index = 0, quiet = null, shownAt = Date.now();
  function scale() {
    var s = Math.min(window.innerWidth / %(width)d, window.innerHeight / %(height)d);
    stage.style.setProperty('--scale', s);
    document.body.setAttribute('data-scale', s);
  }
  function fit(box) {  // shrink a box's type until it fits, down and across (never below 70 per cent)
    var size = parseFloat(getComputedStyle(box).fontSize), floor = size * 0.7;
    function over() { return box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1; }
    while (over() && size > floor) { size -= 1; box.style.fontSize = size + 'px'; }
  }
  function hint() {
    chrome.textContent = (index + 1) + ' / ' + slides.length + '  ·  ' + options.hint;
    chrome.classList.remove('quiet');
    clearTimeout(quiet);
    quiet = setTimeout(function () { chrome.classList.add('quiet'); }, 2500);
  }
  function show(n) {
    index = Math.max(0, Math.min(slides.length - 1, n));
    for (var k = 0; k < slides.length; k++) { slides[k].classList.toggle('on', k === index); }
    slides[index].querySelectorAll('.fit').forEach(fit);
    document.body.setAttribute('data-slide', index + 1);
    if (history.replaceState) { history.replaceState(null, '', '#' + (index + 1)); }
    shownAt = Date.now();
    hint();
  }
  function full() {
    if (document.fullscreenElement) { document.exitFullscreen(); }
    else if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
  }
  document.addEventListener('keydown', function (e) {
    var next = ['ArrowRight', 'ArrowDown', 'PageDown', ' ', 'Enter'], back = ['ArrowLeft', 'ArrowUp', 'PageUp'];
    if (next.indexOf(e.key) >= 0) { show(index + 1); }
    else if (back.indexOf(e.key) >= 0) { show(index - 1); }
    else if (e.key === 'Home') { show(0); }
    else if (e.key === 'End') { show(slides.length - 1); }
    else if (e.key === 'f' || e.key === 'F') { full(); }
    else { return; }
    e.preventDefault();
  });
  document.addEventListener('click', function (e) { show(e.clientX > window.innerWidth / 3 ? index + 1 : index - 1); });
  window.addEventListener('resize', scale);
  scale();
  var start = parseInt((location.hash || '#1').slice(1), 10);
  show(isNaN(start) ? 0 : start - 1);
  if (options.advance) {  // the big screen: next slide every `advance` seconds, round and round
    setInterval(function () {
      var done = (Date.now() - shownAt) / (options.advance * 1000);
      progress.style.width = Math.min(100, done * 100) + '%%';
      if (done >= 1) { show((index + 1) %% slides.length); }
    }, 200);
  }
  if (options.poll && options.versionUrl) {  // a new data version landed: reload, keeping the slide
    setInterval(function () {
      fetch(options.versionUrl, {cache: 'no-store', credentials: 'same-origin'})
        .then(function (r) {  // refused: the link has ended (a new password, a disabled account): say so
          if (r.status === 403) { location.reload(); }
          return r.ok ? r.json() : null;
        })
        .then(function (j) {
          if (j && (j.version !== options.version || j.review !== options.review)) { location.reload(); }
        })
        .catch(function () {});
    }, options.poll * 1000);
  }
})();
"""


@dataclass(frozen=True)
class Viewer:
    """How the document behaves on screen: a presentation (keys only) or a big screen."""

    advance_seconds: int = 0  # 0: slides change only by key; else the big screen's interval
    poll_seconds: int = 0  # 0: never ask for new data
    version_url: str = ""  # where the big screen asks for the current data version
    plotly_src: str = ""  # empty: plotly.js inline (the offline pack)
    review: int = 0  # the review version shown (approvals change a leader's figures, not the data version)


def _e(text: object) -> str:
    return inert_html(text)


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_e(cell_text(v))}</td>" for v in row) + "</tr>" for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


SIDE_ROWS = 6  # townships one column of a 红黑榜 side holds in large type; a longer list (a tie) takes two


def _side_tables(frame: pd.DataFrame) -> str:
    """One side of the 红黑榜: a tie of more than ``SIDE_ROWS`` townships in two columns, every name shown."""
    if len(frame) <= SIDE_ROWS:
        return _table(frame)
    half = -(-len(frame) // 2)
    return f"<div class='halves'>{_table(frame.iloc[:half])}{_table(frame.iloc[half:])}</div>"


def _card(k: KpiResult, lang: str) -> str:
    change = k.display_change(lang)
    moved = f"<div class='change'>{_e(i18n.t('kpi.vs_previous', lang))} {_e(change)}</div>" if change else ""
    return (
        f"<div class='card' style='--rag:{RAG[k.status]}'>"
        f"<div class='label'>{_e(i18n.t(k.label, lang))}</div>"
        f"<div class='value'>{_e(k.display(lang))}</div>"
        f"<div class='target'>{_e(k.display_target(lang))}</div>{moved}"
        f"<div class='period'>{_e(k.display_coverage(lang))}</div>"
        f"<span class='status'>{_e(i18n.t(f'status.{k.status}', lang))}</span></div>"
    )


def _kpis(slide: Slide, lang: str) -> str:
    columns = 2 if len(slide.kpis) <= 4 else 3
    cards = "".join(_card(k, lang) for k in slide.kpis)
    return f"<div class='main cards' style='--cols:{columns}'>{cards}</div>"


def figure_spec(fig: go.Figure, width: int = CHART_W, height: int = CHART_H) -> str:
    """A slide's chart: fixed size, projector type, no title (the slide has one), safe in <script>."""
    big = go.Figure(fig)  # a copy: the deck's figure stays as built
    big.update_layout(
        font={"family": FONT, "size": CHART_FONT},
        autosize=False,
        width=width,
        height=height,
        title_text="",
        margin={"l": 10, "r": 40, "t": 36, "b": 10},
    )
    big.update_xaxes(tickfont={"size": CHART_FONT}, title_font={"size": CHART_FONT})
    big.update_yaxes(tickfont={"size": CHART_FONT}, title_font={"size": CHART_FONT})
    return big.to_json().replace("</", "<\\/")  # no text in the data can close the script element


def _figure(slide: Slide, n: int) -> str:
    spec = figure_spec(slide.figure)
    return (
        f"<div id='fig{n}' class='main chart'></div>"
        f"<script>(function(){{var f={spec};"
        f"Plotly.newPlot('fig{n}',f.data,f.layout,{{staticPlot:true}});}})();</script>"
    )


def _summary(slide: Slide) -> str:
    return "<div class='summary fit'>" + "".join(f"<p>{_e(s)}</p>" for s in slide.summary) + "</div>"


def _slide(slide: Slide, n: int, lang: str) -> str:
    footnote = f"<div class='footnote'>{_e(slide.footnote)}</div>"
    head = f"<h1>{_e(slide.title)}</h1><div class='subtitle'>{_e(slide.subtitle)}</div>"
    if slide.kind == "title":
        return f"<section class='slide title-slide' data-kind='title'>{head}{_summary(slide)}{footnote}</section>"
    if slide.kind == "ranking":
        sides = "".join(
            f"<div class='side {side}'><h2>{_e(heading)}</h2>{_side_tables(frame)}</div>"
            for side, (heading, frame) in zip(("red", "black"), slide.sides, strict=True)
        )
        body = f"<div class='wide'><div class='sides'>{sides}</div>{_summary(slide)}</div>"
    elif slide.kind == "table":
        table = slide.table if slide.table is not None else pd.DataFrame()
        body = f"<div class='wide'><div class='table-box fit'>{_table(table)}</div>{_summary(slide)}</div>"
    elif slide.kind == "chart" and slide.figure is not None:
        body = _figure(slide, n) + _summary(slide)
    else:
        body = _kpis(slide, lang) + _summary(slide)
    return (
        f"<section class='slide' data-kind='{_e(slide.kind)}'>{head}<div class='body'>{body}</div>{footnote}</section>"
    )


def write(deck: Deck, lang: str = i18n.DEFAULT, viewer: Viewer | None = None) -> bytes:
    """The deck as one HTML document: full screen, one slide at a time, offline unless ``viewer``
    names where plotly.js is served."""
    viewer = viewer or Viewer()
    slides = "\n".join(_slide(s, n, lang) for n, s in enumerate(deck.slides))
    meta = json.dumps({"version": deck.version, "as_of": deck.as_of, "slides": len(deck.slides)})
    options = {
        "hint": i18n.t("present.hint", lang),
        "advance": viewer.advance_seconds,
        "poll": viewer.poll_seconds,
        "versionUrl": viewer.version_url,
        "version": deck.version,
        "review": viewer.review,
    }
    plotly = (
        f"<script src='{_e(viewer.plotly_src)}'></script>"
        if viewer.plotly_src
        else f"<script>{get_plotlyjs()}</script>"
    )
    script = VIEWER % {"width": WIDTH, "height": HEIGHT}
    settings = json.dumps(options).replace("</", "<\\/")
    page = (
        f"<!doctype html><html lang='{'en' if lang == 'en' else 'zh-CN'}'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_e(deck.title)}</title><meta name='deck' content='{_e(meta)}'><style>{CSS}</style>"
        f"{plotly}</head><body>\n<div id='stage'>\n{slides}\n</div><div id='chrome'></div><div id='progress'></div>"
        f"<script type='application/json' id='deck-options'>{settings}</script>"
        f"<script>{script}</script></body></html>"
    )
    return page.encode("utf-8")
