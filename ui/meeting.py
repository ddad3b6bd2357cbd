"""Meeting mode's parts: the frozen version, the presentation links, a preview, the pack.

The presentation itself (and the big screen) is its own page served by ``ui.present``:
no Streamlit chrome, 16:9 scaled to the screen. Here a leader prepares it.
"""

from __future__ import annotations

import time
from dataclasses import replace

import streamlit as st

from metrics.slides import Deck, Slide
from reform import actions, auth, clock
from reform.export import deck as deck_export
from reform.export.images import ExportError
from ui import auth as auth_ui
from ui import cache, present, widgets
from ui.context import Context

_VERSION, _INDEX = "meeting.version", "meeting.index"


def frozen_version(ctx: Context) -> int:
    """The data version chosen when the meeting started; later uploads do not move it."""
    if _VERSION not in st.session_state:
        st.session_state[_VERSION] = ctx.version
    version = st.session_state[_VERSION]
    batches = cache.batches(str(ctx.store.path), ctx.version)
    when = str(clock.shown(batches.loc[batches["batch_id"] <= version, "uploaded_at"].max(), ctx.cfg.timezone))[:16]
    st.caption(widgets.escape(ctx.t("meeting.frozen", version=version, time=when)))
    if ctx.version != version:
        st.info(ctx.t("meeting.newer", version=ctx.version))
        if st.button(ctx.t("meeting.refresh"), key="meeting.refresh"):
            st.session_state[_VERSION] = ctx.version
            st.rerun()
    return version


def deck(ctx: Context, version: int) -> Deck:
    """Every configured slide, built once per frozen version, scope and language."""
    view = replace(ctx.view, data_version=version, frozen=True)  # this reader's figures, as they stood then
    return cache.deck(str(ctx.store.path), str(ctx.cfg.source), view, ctx.lang, ctx.cfg.slides)


def chosen(ctx: Context, full: Deck) -> Deck:
    """The slides picked for this meeting (all of config.yaml's by default), in the configured order."""
    titles: dict[str, str] = {}
    for s in full.slides:  # one choice per configured slide (the league table's pages go together)
        titles.setdefault(s.source, s.title)
    with st.expander(ctx.t("meeting.choose")):
        keys = st.multiselect(
            ctx.t("meeting.choose"),
            list(titles),
            default=list(titles),
            format_func=titles.get,
            key="meeting.slides",
            label_visibility="collapsed",
            placeholder=ctx.t("app.choose"),
        )
    return replace(full, slides=[s for s in full.slides if s.source in keys])


def present_links(ctx: Context, the_deck: Deck) -> None:
    """Start the presentation (this frozen version, these slides) or a big screen (newest data,
    slides advancing); each opens full screen in a new tab, bound to this browser."""
    what = {
        "keys": tuple(dict.fromkeys(s.source for s in the_deck.slides)),
        "lang": ctx.lang,
        "first_year": ctx.scope.first_year,
        "last_year": ctx.scope.last_year,
        "townships": ctx.scope.townships,
        "published": ctx.view.published,
        "grant": auth.grant(auth.find_user(ctx.store, ctx.user.name)),  # a new password ends the links
    }
    cookie = auth_ui.browser_cookie()
    if present.MOUNTED and not cookie:  # a link must be bound to a browser: none without the guard's cookie
        st.warning(ctx.t("present.no_cookie"))
        return
    meeting = present.showing_for(ctx.user, cookie, "meeting", version=the_deck.version, **what)
    screen = present.showing_for(ctx.user, cookie, "screen", version=0, **what)
    left, right = st.columns(2)
    left.link_button(
        ctx.t("present.start"),
        present.link(meeting, ctx.cfg),
        type="primary",
        icon=":material/slideshow:",
        width="stretch",
    )
    right.link_button(ctx.t("present.screen"), present.link(screen, ctx.cfg), icon=":material/tv:", width="stretch")
    st.caption(ctx.t("present.help", seconds=ctx.cfg.screen_seconds))
    if not present.MOUNTED:
        st.warning(ctx.t("present.not_served"))


def navigation(ctx: Context, total: int) -> int:
    """Previous/next buttons (← → keys); returns the slide to show."""
    index = min(st.session_state.get(_INDEX, 0), total - 1)
    left, middle, right = st.columns([1, 4, 1])
    first, last = index == 0, index >= total - 1
    if left.button(ctx.t("meeting.previous"), key="meeting.previous", shortcut="left", width="stretch", disabled=first):
        index -= 1
    if right.button(
        ctx.t("meeting.next"), key="meeting.next", shortcut="right", width="stretch", type="primary", disabled=last
    ):
        index += 1
    st.session_state[_INDEX] = index
    middle.caption(ctx.t("meeting.position", n=index + 1, total=total))
    return index


def show(ctx: Context, slide: Slide) -> None:
    """One slide: large title, its KPIs, chart or table, the sentences and the footnote."""
    with st.container(border=True):
        st.markdown(f"# {widgets.escape(slide.title)}")
        if slide.subtitle:
            st.caption(widgets.escape(slide.subtitle))
        if slide.kind == "title":
            for line in slide.summary:
                st.subheader(widgets.escape(line))
        else:
            main, words = st.columns([5, 2])
            with main:
                _main(ctx, slide)
            with words:
                for line in slide.summary:
                    st.markdown(f"##### {widgets.escape(line)}")
        st.caption(widgets.escape(slide.footnote))


def _main(ctx: Context, slide: Slide) -> None:
    if slide.kind == "chart" and slide.figure is not None:
        slide.figure.update_layout(height=560, font={"size": 18})
        widgets.chart(slide.figure, f"meeting.chart.{slide.key}")
    elif slide.kind == "kpis":
        widgets.kpi_cards(ctx, slide.kpis)
    elif slide.kind == "ranking":
        for column, (heading, frame) in zip(st.columns(len(slide.sides)), slide.sides, strict=True):
            column.markdown(f"##### {widgets.escape(heading)}")
            column.dataframe(frame, hide_index=True, width="stretch")
    elif slide.table is not None:
        st.dataframe(slide.table, hide_index=True, width="stretch", height=560, key="meeting.table")


def downloads(ctx: Context, the_deck: Deck) -> None:
    """Build each format on demand, with progress, then offer it for download."""
    if not auth.allowed(ctx.user, "export"):
        return
    st.subheader(ctx.t("meeting.exports"))
    columns = st.columns(len(deck_export.FORMATS))
    for column, fmt in zip(columns, deck_export.FORMATS, strict=True):
        built_key = f"meeting.built_{fmt}"
        with column:
            if st.button(ctx.t("meeting.build", format=fmt.upper()), key=f"meeting.build_{fmt}", width="stretch"):
                st.session_state[built_key] = _build(ctx, the_deck, fmt)
            built = st.session_state.get(built_key)
            if built and built[0] == _identity(ctx, the_deck):
                _, name, data, note = built
                st.caption(note)
                st.download_button(
                    ctx.t("meeting.download", format=fmt.upper()),
                    data,
                    file_name=name,
                    mime=deck_export.FORMATS[fmt][1],
                    key=f"meeting.download_{fmt}",
                    width="stretch",
                )


def _identity(ctx: Context, the_deck: Deck) -> tuple[object, ...]:
    """What a built file depends on: a change of any of these asks for a new build."""
    return the_deck.version, tuple(s.key for s in the_deck.slides), ctx.lang, ctx.view


def _build(ctx: Context, the_deck: Deck, fmt: str) -> tuple[object, ...] | None:
    bar = st.progress(0.0, text=ctx.t("meeting.building", format=fmt.upper()))
    started = time.perf_counter()
    try:
        data = deck_export.write(the_deck, fmt, ctx.lang, lambda done, total: bar.progress(done / total))
    except ExportError as exc:
        st.error(ctx.t("meeting.no_browser", detail=exc))
        return None
    finally:
        bar.empty()
    seconds = f"{time.perf_counter() - started:.1f}"
    actions.exported(ctx.store, ctx.user, fmt, f"version {the_deck.version}, {len(the_deck.slides)} slides")
    note = ctx.t("meeting.built", format=fmt.upper(), slides=len(the_deck.slides), seconds=seconds)
    return _identity(ctx, the_deck), deck_export.file_name(the_deck, fmt), data, note
