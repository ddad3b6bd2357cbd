"""Presentation mode and the big screen, served beside Streamlit (``serve.py`` mounts ``ROUTES``).

The page is the deck document of ``reform.export.deck_html``: one slide fills the
screen, turned by keys, clickers or (big screen) a timer, with no Streamlit chrome.
Turning a slide costs the server nothing; the deck is built once per data version,
scope, language and slide list and kept in a small bounded cache, so a big screen
that runs for days asks only for the data version (a few bytes) until it changes.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from functools import cache

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from metrics import slides
from reform import audience as audiences
from reform import auth, i18n, presentation
from reform.audience import Audience
from reform.config import CONFIG_ENV, Config
from reform.export import deck_html
from reform.presentation import LinkError, Showing
from reform.store import Store
from ui import server

MOUNTED = False  # set by serve.py: bare `streamlit run dashboard.py` has no presentation routes
PLOTLY_PATH = "/present-assets/plotly.min.js"
DECKS = 8  # rendered decks kept (a meeting and a big screen or two, in both languages)
_decks: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
_lock = threading.Lock()


@cache
def _config(source: str | None, database: str | None) -> Config:
    from metrics import semantic

    return semantic.load_checked(source)


def config() -> Config:
    return _config(os.environ.get(CONFIG_ENV), os.environ.get("REFORM_DB"))


def link(showing: Showing, cfg: Config) -> str:
    """The path of a presentation (relative to the app's root)."""
    return f"present/{presentation.sign(showing, presentation.key(cfg.database))}"


def showing_for(user: auth.User, browser_cookie: str | None, mode: str, **what: object) -> Showing:
    """A link's content for this user and browser, expiring after the mode's hours."""
    hours = presentation.HOURS[mode]
    return Showing(
        user=user.name,
        browser=presentation.browser_digest(browser_cookie),
        mode=mode,
        expires=int(time.time()) + hours * 3600,
        **what,  # type: ignore[arg-type]
    )


def _allowed(store: Store, showing: Showing) -> bool:
    """The account behind the link may still hold a meeting, with the password and role it had when
    the link was made (checked on every request)."""
    if showing.user == auth.LOCAL_USER.name and not auth.has_users(store):
        return True
    found = auth.find_user(store, showing.user)
    return auth.allowed(found, "meeting") and auth.grant(found) == showing.grant  # no new password since


def _check(request: Request) -> tuple[Config, Store, Showing] | Response:
    cfg = config()
    try:
        showing = presentation.read(request.path_params["token"], presentation.key(cfg.database))
    except LinkError:
        return PlainTextResponse(i18n.t("present.bad_link", i18n.DEFAULT), status_code=404)
    cookie = request.cookies.get(server.BROWSER_COOKIE)
    if not showing.browser or showing.browser != presentation.browser_digest(cookie):  # bound, to this browser
        return PlainTextResponse(i18n.t("present.other_browser", showing.lang), status_code=403)
    store = Store(cfg.database)
    if not _allowed(store, showing):
        return PlainTextResponse(i18n.t("present.ended", showing.lang), status_code=403)
    return cfg, store, showing


def audience(cfg: Config, store: Store, showing: Showing) -> Audience:
    """Who the link shows figures to (its account, checked on every request) and which: a meeting's
    frozen version or a big screen's newest; approved figures only, unless a reviewer made the link
    while showing the figures awaiting review (the slides then say so)."""
    user = auth.find_user(store, showing.user) or (auth.LOCAL_USER if showing.user == auth.LOCAL_USER.name else None)
    pending = cfg.review_required and not showing.published and audiences.may_see_pending(user)
    meeting = showing.mode == "meeting"
    version = showing.version if meeting else None
    found = audiences.decide(store, cfg, user, pending=pending, version=version, frozen=meeting)
    return found.within(showing.first_year, showing.last_year, showing.townships)


def render(cfg: Config, store: Store, showing: Showing, version_url: str) -> bytes:
    """The deck document of a showing: a frozen version, or the newest for a big screen."""
    view = audience(cfg, store, showing).view
    screen = showing.mode == "screen"
    # a big screen's page names its own link's version check (bound to its browser): part of the key
    key = (showing.mode, view, showing.keys, showing.lang, str(cfg.source), version_url if screen else "")
    with _lock:
        if key in _decks:
            _decks.move_to_end(key)
            return _decks[key]
    deck = slides.build(store, cfg, view, showing.lang, showing.keys or None)
    viewer = deck_html.Viewer(
        advance_seconds=cfg.screen_seconds if screen else 0,
        poll_seconds=cfg.screen_poll_seconds if screen else 0,
        version_url=version_url if screen else "",
        plotly_src=PLOTLY_PATH,
        review=view.review or 0,
    )
    page = deck_html.write(deck, showing.lang, viewer)
    with _lock:
        _decks[key] = page
        while len(_decks) > DECKS:
            _decks.popitem(last=False)
    return page


async def page(request: Request) -> Response:
    checked = await run_in_threadpool(_check, request)
    if isinstance(checked, Response):
        return checked
    cfg, store, showing = checked
    version_url = f"{request.path_params['token']}/version"
    body = await run_in_threadpool(render, cfg, store, showing, version_url)
    return Response(body, media_type="text/html; charset=utf-8", headers={"cache-control": "no-store"})


async def version(request: Request) -> Response:
    """The data version a big screen shows next: it reloads when this changes."""
    checked = await run_in_threadpool(_check, request)
    if isinstance(checked, Response):
        return checked
    _, store, showing = checked
    current = showing.version if showing.mode == "meeting" else await run_in_threadpool(store.data_version)
    review = await run_in_threadpool(store.review_version) if showing.published else 0
    return JSONResponse({"version": current, "review": review}, headers={"cache-control": "no-store"})


@cache
def _plotly() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode()


async def plotly_js(_: Request) -> Response:
    return Response(_plotly(), media_type="text/javascript", headers={"cache-control": "public, max-age=86400"})


ROUTES = [
    Route(PLOTLY_PATH, plotly_js),
    Route("/present/{token}", page),
    Route("/present/{token}/version", version),
]
