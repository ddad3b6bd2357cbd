"""Who is using the app: the login gate, local single-user mode, sign-out, session expiry.

The user lives in the server-side session state; every page asks again what that
user may do (``ui.context.current(action)``), whatever the navigation shows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import streamlit as st

from reform import auth, i18n
from reform.auth import AuthError, User
from reform.store import Store
from ui import server

_USER, _SINCE, _GRANT = "auth.user", "auth.since", "auth.grant"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _t(key: str, lang: str, **params: object) -> str:
    return i18n.t(key, lang, **params)


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError):  # no secrets file at all
        return False
    except Exception:
        return False


def _local_user(lang: str) -> User:
    """No account exists yet: one local user, and only when the server listens on this machine alone."""
    address = str(st.get_option("server.address") or "")
    proxied = any(st.context.headers.get(h) for h in ("X-Forwarded-For", "X-Real-Ip"))
    if address not in LOOPBACK or proxied:  # behind nginx every visitor comes from 127.0.0.1: no local user
        shown = "反向代理" if proxied else address or "0.0.0.0"  # noqa: S104 - named, not bound
        st.error(_t("auth.local_refused", lang, address=shown, address_en="a reverse proxy" if proxied else shown))
        st.stop()
    st.sidebar.warning(_t("auth.local_banner", lang), icon=":material/person:")
    session = _session_id()
    if session is not None and not server.BINDINGS.is_bound(session):
        _bind()  # the local user may upload, like a signed-in one
    return auth.LOCAL_USER


def _session_id() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    run = get_script_run_ctx()
    return run.session_id if run else None


def browser_cookie() -> str | None:
    """The HttpOnly cookie ``ui.server.Guard`` gave this browser (None without the guard, as in tests)."""
    value = st.context.cookies.get(server.BROWSER_COOKIE)
    return value if isinstance(value, str) else None  # AppTest has no browser: no cookie


def _bind() -> None:
    """Bind this session to the browser that signed in; forget sessions Streamlit has closed."""
    session = _session_id()
    if session is None:
        return
    server.BINDINGS.bind(session, browser_cookie())
    try:
        from streamlit.runtime import Runtime

        live = {s.session.id for s in Runtime.instance()._session_mgr.list_sessions()}
        server.BINDINGS.forget_except(live | {session})
    except Exception:  # no runtime (tests) or a Streamlit without this list: nothing to forget
        return


def _session_user(store: Store, lang: str) -> User | None:
    user, since = st.session_state.get(_USER), st.session_state.get(_SINCE)
    if user is None or since is None:
        return None
    session = _session_id()
    if session is not None and not server.BINDINGS.matches(session, browser_cookie()):
        sign_out(store, "session_moved")  # another browser took this session's id: it is no one's now
        return None
    if datetime.now() - since > timedelta(hours=auth.SESSION_HOURS):
        sign_out(store, "expired")
        st.info(_t("auth.expired", lang))
        return None
    found = auth.find_user(store, user.name)
    if found is None:  # disabled (or removed) since signing in
        sign_out(store, "disabled")
        return None
    if auth.grant(found) != st.session_state.get(_GRANT):  # a new password or role since signing in
        sign_out(store, "credentials_changed")
        st.info(_t("auth.credentials_changed", lang))
        return None
    return user


def renew_grant(store: Store, user: User) -> None:
    """This session keeps going after its own password change (the account's other sessions end)."""
    st.session_state[_GRANT] = auth.grant(auth.find_user(store, user.name))


def client_address() -> str | None:
    """The visitor's address: the connection's peer, or the address our reverse proxy puts in
    X-Real-IP when the peer is the proxy on this machine (deploy/nginx.conf sets it)."""
    peer = st.context.ip_address
    if peer in (None, "127.0.0.1", "::1"):
        forwarded = st.context.headers.get("X-Real-Ip")
        return forwarded or peer
    return peer


def _sign_in(store: Store, user: User, audit: bool = True) -> None:
    st.session_state[_USER], st.session_state[_SINCE] = user, datetime.now()
    st.session_state[_GRANT] = auth.grant(auth.find_user(store, user.name))
    _bind()
    if audit:  # a password sign-in is audited by auth.login itself
        auth.record(store, user.name, "login")


def sign_out(store: Store, reason: str = "logout") -> None:
    session = _session_id()
    if session is not None:
        server.BINDINGS.unbind(session)
    user = st.session_state.pop(_USER, None)
    st.session_state.pop(_SINCE, None)
    st.session_state.pop(_GRANT, None)
    if user is not None:
        auth.record(store, user.name, reason)


NEXT = "auth.next"  # the page a visitor asked for before signing in


def _remember_requested_page() -> None:
    """Keep the page of the link a visitor opened (``/completeness``), to go there once signed in."""
    url = st.context.url
    if isinstance(url, str) and NEXT not in st.session_state:
        from urllib.parse import urlparse

        st.session_state[NEXT] = urlparse(url).path.rstrip("/").rsplit("/", 1)[-1]


def requested_page() -> str | None:
    """The page asked for before signing in, once (None when there was none)."""
    return st.session_state.pop(NEXT, None) or None


def _login_form(store: Store, lang: str) -> None:
    _remember_requested_page()
    st.caption(_t("auth.product", lang))  # which product this is, before anyone has signed in
    st.title(_t("auth.title", lang))
    with st.form("auth.login"):
        name = st.text_input(_t("auth.name", lang), key="auth.name")
        password = st.text_input(_t("auth.password", lang), type="password", key="auth.password")
        submitted = st.form_submit_button(_t("auth.sign_in", lang), type="primary")
    if submitted:
        try:
            user = auth.login(store, name, password, address=client_address())
        except AuthError as exc:  # audited by auth.login, like every attempt
            st.error(_t(f"auth.{exc.code}", lang, **exc.params))
        else:
            _sign_in(store, user, audit=False)
            st.rerun()
    if _sso_configured():
        if st.button(_t("auth.sso", lang), key="auth.sso"):
            st.login()
        if getattr(st.user, "is_logged_in", False):
            _single_sign_on(store, lang)


def _single_sign_on(store: Store, lang: str) -> None:
    """An identity from the configured OIDC provider maps to the account of the same name (or e-mail)."""
    for claim in ("email", "preferred_username", "name"):
        value = st.user.get(claim)
        user = auth.find_user(store, str(value)) if value else None
        if user is not None:
            _sign_in(store, user)
            st.rerun()
    st.error(_t("auth.sso_unknown", lang))


def gate(store: Store, lang: str) -> User:
    """The signed-in user; shows the login form and stops the run when there is none."""
    if not auth.has_users(store):
        return _local_user(lang)
    user = _session_user(store, lang)
    if user is None:
        _login_form(store, lang)
        st.stop()
    with st.sidebar:
        st.caption(_t("auth.signed_in", lang, name=user.name, role=_t(f"role.{user.role}", lang)))
        if st.button(_t("auth.sign_out", lang), key="auth.sign_out"):
            sign_out(store)
            st.rerun()
    return user
