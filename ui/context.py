"""What every page needs: the checked configuration, the store, the language and the audience.

The entry script (``dashboard.py``) builds the context once per run from the sidebar widgets,
which live there so that they keep their values across pages; pages read it with ``current()``.
Who reads and which figures they may see (``reform.audience``) is decided here, once per run:
every figure, chart, summary and export of the page is computed from ``Context.audience``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import streamlit as st

from reform import audience as audiences
from reform import auth, i18n, plugins, sample
from reform.audience import Audience, Scope, View
from reform.auth import User
from reform.config import CONFIG_ENV, DB_ENV, Config, ConfigError
from reform.store import Store
from ui import auth as auth_ui
from ui import cache

_KEY = "global.context"


@dataclass(frozen=True)
class Context:
    """One run's view: configuration, store, language, the audience (who reads, what they see) and user."""

    cfg: Config
    store: Store
    lang: str
    audience: Audience
    user: User

    @property
    def view(self) -> View:
        """Which figures this run shows: the key of every cached figure."""
        return self.audience.view

    @property
    def scope(self) -> Scope:
        return self.audience.view.scope

    @property
    def version(self) -> int:
        return self.audience.view.data_version

    @property
    def reports_version(self) -> tuple[int, int]:
        """What who-owes-which-report depends on: the data version and the review version (a return)."""
        return self.audience.view.data_version, self.store.review_version()

    def t(self, key: str, **params: object) -> str:
        return i18n.t(key, self.lang, **params)

    def allowed(self, action: str) -> bool:
        """Whether this run's user may do ``action`` (a part of a page another role also opens)."""
        return auth.allowed(self.user, action)


@st.cache_resource(show_spinner=False)
def _bootstrap(db_path: str, config_source: str) -> bool:
    """Create the schema and, on first start, load the sample data (once per process)."""
    cfg = cache.config(config_source)
    store = Store(db_path)
    store.init()
    return sample.load_if_empty(store, cfg)


def load_config() -> Config:
    """The configuration, or a clear message and a stopped app when it is wrong."""
    lang = st.session_state.get("global.lang", i18n.DEFAULT)
    try:
        return cache.config(os.environ.get(CONFIG_ENV), os.environ.get(DB_ENV))
    except ConfigError as exc:
        st.error(i18n.t("app.config_error", lang, error=exc))
        st.stop()
        raise  # st.stop() raises; this keeps type checkers content


def language() -> str:
    """The language switch, first in the sidebar (the login form speaks it too)."""
    with st.sidebar:
        return st.radio(
            i18n.t("sidebar.language"),
            i18n.LANGUAGES,
            format_func=lambda code: {"zh": "中文", "en": "English"}[code],
            horizontal=True,
            key="global.lang",
        )


def pending(cfg: Config, user: User | None, lang: str) -> bool:
    """With review on, a reviewer may ask for the figures awaiting review (every page then says so);
    everybody else sees approved figures only."""
    if not cfg.review_required or not audiences.may_see_pending(user):
        return False
    with st.sidebar:
        return bool(st.toggle(i18n.t("review.show_pending", lang), key="global.show_pending"))


def decide(cfg: Config, store: Store, user: User | None, lang: str) -> Audience:
    """This run's audience: who reads, approved or pending figures, and the years and townships of the
    sidebar (the slider spans the years of the data this reader may see)."""
    path = str(store.path)
    seen = audiences.decide(
        store, cfg, user, pending=pending(cfg, user, lang), years=lambda v: cache.data_years(path, v)
    )
    first, last = seen.scope.first_year, seen.scope.last_year
    if not auth.allowed(user, "view"):  # the security and audit administrators read no figures: no filters
        return seen
    _follow_bounds((first, last))
    with st.sidebar:
        if first < last:
            years = st.slider(i18n.t("sidebar.years", lang), first, last, (first, last), key="global.years")
        else:
            years = (first, last)
        towns = st.multiselect(
            i18n.t("sidebar.townships", lang),
            [*cfg.township_names, cfg.committee],
            key="global.townships",
            help=i18n.t("sidebar.townships_help", lang),
            placeholder=i18n.t("sidebar.townships_help", lang),
        )
    return seen.within(int(years[0]), int(years[1]), tuple(towns))


def _follow_bounds(bounds: tuple[int, int]) -> None:
    """A year range left at "every year" keeps meaning every year when the years change (a new year's
    first approved report, a reviewer showing pending figures); one the user narrowed stays as chosen."""
    before = st.session_state.get("global.years_bounds")
    if before is not None and before != bounds and st.session_state.get("global.years") == before:
        st.session_state["global.years"] = bounds
    st.session_state["global.years_bounds"] = bounds


def start() -> Context:
    """Build this run's context (called by the entry script before navigation); no login, no context."""
    plugins.load()
    cfg = load_config()
    _bootstrap(str(cfg.database), str(cfg.source))
    store = Store(cfg.database)
    lang = language()
    user = auth_ui.gate(store, cfg, lang)
    context = Context(cfg, store, lang, decide(cfg, store, user, lang), user)
    st.session_state[_KEY] = context
    return context


def current(action: str = "view") -> Context:
    """The context the entry script built for this run, once the user is allowed ``action``.

    Checked on every page, whatever the navigation offered: a page opened by its URL
    answers the same as one chosen from the menu.
    """
    context: Context | None = st.session_state.get(_KEY)
    if context is None or not auth.allowed(context.user, action):
        lang = context.lang if context else i18n.DEFAULT
        st.error(i18n.t("auth.forbidden", lang))
        st.stop()
    return context
