"""The meeting deck: the slides of ``config.yaml`` (meeting.slides) built from one frozen data version.

A slide is data (title, KPIs, a figure or a table, summary sentences, a footnote),
so presentation mode, the big screen and the exports (PPTX, PDF, HTML) show the
very same slide. Every slide fits one 16:9 screen: the league table runs to as many
slides as it needs (``LEAGUE_ROWS`` townships each), weakest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from metrics import AREA_KPIS, AREA_MODULES, freshness, overview, summary
from metrics.base import KpiResult, Query, Scope
from reform import i18n
from reform.audience import View
from reform.config import Config
from reform.store import Store, percent_of_sample, sample_share_sql

LEAGUE_ROWS = 9  # townships per league-table slide: rows of type a projector can show without scrolling
RANKING_SIZE = 5  # townships on each side of the 红黑榜


@dataclass
class Slide:
    """One slide: what it shows and the words that go with it."""

    key: str
    kind: str  # title | kpis | chart | table | ranking
    title: str
    subtitle: str = ""
    kpis: list[KpiResult] = field(default_factory=list)
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None
    sides: tuple[tuple[str, pd.DataFrame], ...] = ()  # ranking: (heading, table) of the 红榜 and the 黑榜
    source: str = ""  # the configured slide name it comes from (the league table runs to several slides)
    summary: list[str] = field(default_factory=list)
    footnote: str = ""


@dataclass
class Deck:
    """The slides of one meeting, with the data version they were frozen at."""

    title: str
    version: int
    as_of: str  # 数据截至: the periods the figures are of
    slides: list[Slide]
    overdue: str = ""  # the reports overdue, in words (empty when none is)


class _Builder:
    """Builds slides, computing each area's tables once."""

    def __init__(self, q: Query, cfg: Config, scope: Scope, lang: str) -> None:
        self.q, self.cfg, self.scope, self.lang = q, cfg, scope, lang
        self.results = overview.kpis(q, cfg, scope)
        self._tables: dict[str, dict[str, pd.DataFrame]] = {}

    def t(self, key: str, **params: object) -> str:
        return i18n.t(key, self.lang, **params)

    def tables(self, module: str) -> dict[str, pd.DataFrame]:
        if module not in self._tables:
            self._tables[module] = AREA_MODULES[module].tables(self.q, self.cfg, self.scope)
        return self._tables[module]

    def sentences(self, module: str) -> list[str]:
        return summary.sentences(module, self.results, self.tables(module), self.cfg, self.lang)

    def build(self, key: str, meeting_title: str, day: date) -> list[Slide]:
        """The slide(s) of one configured name: one each, but the league table runs to several."""
        kind, _, name = key.partition(":")
        if kind == "title":
            subtitle = self.t(
                "meeting.subtitle", date=_day(day, self.lang), first=self.scope.first_year, last=self.scope.last_year
            )
            lines = summary.sentences("overview", self.results, {}, self.cfg, self.lang)
            return [Slide(key, "title", f"{self.cfg.district_name}{meeting_title}", subtitle, summary=lines)]
        if kind == "kpis":
            kpis = [r for r in self.results if r.area == name]
            lines = [s for module in AREA_KPIS[name] for s in self.sentences(module)]
            title = self.t("meeting.kpis_title", area=self.t(f"area.{name}"))
            return [Slide(key, "kpis", title, kpis=kpis, summary=lines)]
        if kind == "chart":
            module, _, figure = name.partition(".")
            fig = AREA_MODULES[module].figures(self.tables(module), self.cfg, self.lang)[figure]
            title = fig.layout.title.text or self.t(f"page.{module}")
            fig.update_layout(title_text="")  # the slide's title says it, in larger type
            return [Slide(key, "chart", title, self.t(f"page.{module}"), figure=fig, summary=self.sentences(module))]
        table = self.league()
        if kind == "ranking":
            best, worst = overview.red_black(table, RANKING_SIZE)
            short = [self.t(f"col.{c}") for c in ("rank", "township", "met")]  # large type for the back row
            sides = (  # a tie larger than the slide holds: the sentence below says its count
                (self.t("meeting.red_list"), self._readable(best.head(overview.LISTED))[short]),
                (self.t("meeting.black_list"), self._readable(worst.head(overview.LISTED))[short]),
            )
            return [
                Slide(
                    key, "ranking", self.t("meeting.ranking_title"), sides=sides, summary=league_lines(table, self.lang)
                )
            ]
        pages = [
            overview.worst_first(table).iloc[i : i + LEAGUE_ROWS] for i in range(0, max(len(table), 1), LEAGUE_ROWS)
        ]
        return [
            Slide(
                key if n == 1 else f"{key}.{n}",
                "table",
                self.t("meeting.league_title", n=n, total=len(pages))
                if len(pages) > 1
                else self.t("overview.league_table"),
                self.t("meeting.league_subtitle"),
                table=self._readable(page),
                summary=league_lines(table, self.lang),
            )
            for n, page in enumerate(pages, start=1)
        ]

    def league(self) -> pd.DataFrame:
        if "league" not in self._tables:
            self._tables["league"] = {"table": overview.league_table(self.q, self.cfg, self.scope)}
        return self._tables["league"]["table"]

    def _readable(self, table: pd.DataFrame) -> pd.DataFrame:
        """The league table as printed: headers in words, rates in per cent, money to the fen."""
        shown = pd.DataFrame(
            {
                "rank": table["rank"],
                "township": table["township"],
                "met": [f"{m}/{o}" for m, o in zip(table["met"], table["of"], strict=True)],
                "officers": table["officers"].map(lambda v: "—" if pd.isna(v) else f"{v:.0f}"),
                "cadre_fill_rate": table["cadre_fill_rate"].map(_percent),
                "secretary_vacancies": table["secretary_vacancies"].map(lambda v: "—" if pd.isna(v) else f"{v:.0f}"),
                "specialty_homes": table["specialty_homes"].map(lambda v: f"{v:.0f}"),
                "member_development_rate": table["member_development_rate"].map(_percent),
                "calendar_gap": table["calendar_gap"].map(lambda v: "—" if pd.isna(v) else f"{v:+.1f}"),
                "funding_per_capita": table["funding_per_capita"].map(lambda v: "—" if pd.isna(v) else f"{v:.2f}"),
            }
        )
        if table["calendar_gap"].isna().all():  # 时间进度 only while this year's plans are being reported
            shown = shown.drop(columns=["calendar_gap"])
        return shown.rename(columns={c: self.t(f"col.{c}") for c in overview.LEAGUE_COLUMNS})


def league_lines(table: pd.DataFrame, lang: str = i18n.DEFAULT) -> list[str]:
    """The sentences read out with the league table: every township of the top and of the bottom score
    named (a tie is said as a tie); a tie larger than a slide's list (a province) by its count and the
    first names, in township order."""
    if table.empty:
        return []
    of = int(table["of"].iloc[0])
    top, bottom = int(table["met"].max()), int(table["met"].min())
    best = table[table["met"] == top]["township"].tolist()
    if top == bottom:
        return [i18n.t("meeting.league_all_tied", lang, count=len(best), met=top, of=of)]
    worst = table[table["met"] == bottom]["township"].tolist()
    return [_end_line("best", best, top, of, lang), _end_line("worst", worst, bottom, of, lang)]


def _end_line(end: str, names: list[str], met: int, of: int, lang: str) -> str:
    key = f"meeting.league_{end}" if len(names) == 1 else f"meeting.league_{end}_tied"
    if len(names) > overview.LISTED:
        key = f"meeting.league_{end}_many"
    return i18n.t(key, lang, names=i18n.names(names[: overview.LISTED], lang), met=met, of=of, count=len(names))


def _percent(value: float) -> str:
    return "—" if pd.isna(value) else f"{value * 100:.1f}%"


def _day(day: date, lang: str) -> str:
    return day.isoformat() if lang == "en" else f"{day.year}年{day.month}月{day.day}日"


def build(
    store: Store,
    cfg: Config,
    view: View,
    lang: str = i18n.DEFAULT,
    keys: tuple[str, ...] | None = None,
    day: date | None = None,
) -> Deck:
    """The deck of the configured slides (or ``keys``) as ``view`` shows the data at its version (frozen
    there: later uploads leave it as it was). Every slide's footer says of which periods the figures
    are (数据截至), which reports are overdue, the source and the version."""
    day = day or view.scope.today or cfg.today()
    version = view.data_version
    with replace(view, frozen=True).reading(store) as q:
        builder = _Builder(q, cfg, view.scope, lang)
        counts = q.df(sample_share_sql())
        total, invented = counts.at[0, "n"], counts.at[0, "s"]
        share = 0.0 if not total or pd.isna(total) else float(invented) / float(total)
        overdue = freshness.overdue_line(freshness.overdue(q, cfg, day), lang, review=view.published)
        slides = []
        for key in keys or cfg.slides:
            for slide in builder.build(key, cfg.meeting_title, day):
                slide.source = key
                slides.append(slide)
    if share >= 1:
        source = i18n.t("meeting.source_sample", lang)
    elif share > 0:  # real reports and invented rows side by side: name the invented share
        source = i18n.t("meeting.source_mixed", lang, share=percent_of_sample(share))
    else:
        source = i18n.t("meeting.source", lang)
    as_of = freshness.as_of_line(builder.results, lang)
    gap = " " if lang == "en" and overdue else ""
    footnote = i18n.t("meeting.footnote", lang, as_of=as_of, overdue=overdue + gap, source=source, version=version)
    if cfg.review_required and not view.published:
        footnote = i18n.t("meeting.pending", lang) + footnote  # figures leaders do not see yet: on every slide
    for slide in slides:
        slide.footnote = footnote
    return Deck(f"{cfg.district_name}{cfg.meeting_title}", version, as_of, slides, overdue)
