"""What every page needs: the checked configuration, the store, the language and the scope.

The entry script (``dashboard.py``) builds the context once per run from the
sidebar widgets, which live there so that they keep their values across pages;
pages read it with ``current()``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import streamlit as st

from metrics.base import Scope
from reform import auth, i18n, plugins, sample
from reform.auth import User
from reform.config import CONFIG_ENV, DB_ENV, Config, ConfigError
from reform.store import Store
from ui import auth as auth_ui
from ui import cache

_KEY = "global.context"


@dataclass(frozen=True)
class Context:
    """One run's view: configuration, store, language, scope and data version."""

    cfg: Config
    store: Store
    lang: str
    scope: Scope
    version: int
    user: User

    def t(self, key: str, **params: object) -> str:
        return i18n.t(key, self.lang, **params)


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


def published(cfg: Config, store: Store, user: User, lang: str) -> int | None:
    """With review on: the review version whose approved figures this user sees, or None for the
    figures as uploaded — only a reviewer may choose those (and every page then says so)."""
    if not cfg.review_required:
        return None
    if auth.allowed(user, "review"):
        with st.sidebar:
            if st.toggle(i18n.t("review.show_pending", lang), key="global.show_pending"):
                return None
    return store.review_version()


def filters(cfg: Config, store: Store, version: int, lang: str, user: User | None = None) -> Scope:
    """Year range and townships: the filters every page shares."""
    with st.sidebar:
        first, last = cache.data_years(str(store.path), version)
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
    shown = published(cfg, store, user, lang) if user is not None else None
    return Scope(int(years[0]), int(years[1]), tuple(towns), today=cfg.today(), published=shown)


def start() -> Context:
    """Build this run's context (called by the entry script before navigation); no login, no context."""
    plugins.load()
    cfg = load_config()
    _bootstrap(str(cfg.database), str(cfg.source))
    store = Store(cfg.database)
    lang = language()
    user = auth_ui.gate(store, lang)
    version = store.data_version()
    scope = filters(cfg, store, version, lang, user)
    context = Context(cfg, store, lang, scope, version, user)
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
