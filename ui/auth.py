"""Who is using the app: the login gate, local single-user mode, sign-out, session ends.

The user lives in the server-side session state; every page asks again what that
user may do (``ui.context.current(action)``), whatever the navigation shows. A browser's
sign-in is also held by its HttpOnly cookie (``ui.server.SIGN_INS``), so a reload or a new
tab finds it again; it ends after ``security.idle_minutes`` unused, ``security.max_hours``
after signing in, at sign-out (the cookie revoked and the page reloaded for a new one), and
at once on a password change, reset, role change or disable (the account's grant).
"""

from __future__ import annotations

import time

import streamlit as st

from reform import auth, i18n
from reform.auth import AuthError, User
from reform.config import Config
from reform.store import Store
from ui import server

_USER, _SINCE, _SEEN, _GRANT = "auth.user", "auth.since", "auth.seen", "auth.grant"
_PENDING, _ENROLLING = "auth.pending", "auth.enrolling"  # password right, code still to come; a new phone's secret
PENDING_SECONDS = 300  # the code must follow the password within five minutes
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


def _ended(cfg: Config, since: float, seen: float, now: float) -> str | None:
    """Why a sign-in has ended by time: ``expired`` (security.max_hours) or ``idle`` (idle_minutes)."""
    if now - since > cfg.security.max_hours * 3600:
        return "expired"
    if now - seen > cfg.security.idle_minutes * 60:
        return "idle"
    return None


def _resumed(store: Store, cfg: Config, now: float) -> User | None:
    """The sign-in this browser's cookie holds (a reload, a new tab), if it still stands."""
    cookie = browser_cookie()
    held = server.SIGN_INS.find(cookie)
    if held is None:
        return None
    found = auth.find_user(store, held.name)
    if _ended(cfg, held.since, held.seen, now) or found is None or auth.grant(found) != held.grant:
        server.SIGN_INS.end(cookie, revoke=False)
        return None
    st.session_state[_USER], st.session_state[_GRANT] = found, held.grant
    st.session_state[_SINCE], st.session_state[_SEEN] = held.since, held.seen
    _bind()
    return found


_ENDS = {  # why a session ends -> what it is told (None: nothing)
    "session_moved": None,  # another browser took this session's id: it is no one's now
    "logout_elsewhere": None,  # signed out in another tab of this browser
    "expired": "auth.expired",
    "idle": "auth.idle",
    "disabled": None,  # disabled (or removed) since signing in
    "credentials_changed": "auth.credentials_changed",  # a new password or role since signing in
    "admin_network": "auth.admin_network",
}


def _session_user(store: Store, cfg: Config, lang: str) -> User | None:
    now = time.monotonic()
    if st.session_state.get(_USER) is None and _resumed(store, cfg, now) is None:
        return None
    cookie = browser_cookie()
    found = auth.find_user(store, st.session_state[_USER].name)
    reason = _why_ended(cfg, found, cookie, now)
    if reason is not None:
        sign_out(store, reason)
        if _ENDS[reason]:
            st.info(_t(str(_ENDS[reason]), lang, minutes=cfg.security.idle_minutes))
        return None
    st.session_state[_SEEN] = now
    server.SIGN_INS.touch(cookie, now)
    return found


def _why_ended(cfg: Config, found: User | None, cookie: str | None, now: float) -> str | None:
    """Why this session's sign-in has ended (a key of ``_ENDS``), or None while it stands."""
    user, since, seen = st.session_state[_USER], st.session_state[_SINCE], st.session_state[_SEEN]
    session = _session_id()
    if session is not None and not server.BINDINGS.matches(session, cookie):
        return "session_moved"
    held = server.SIGN_INS.find(cookie)
    if held is not None and held.name == user.name:
        seen = max(seen, held.seen)  # used in another tab of this browser
    elif cookie is not None and server.SIGN_INS.revoked(cookie):
        return "logout_elsewhere"
    ended = _ended(cfg, since, seen, now)
    if ended is None and found is None:
        ended = "disabled"
    elif ended is None and auth.grant(found) != st.session_state.get(_GRANT):
        ended = "credentials_changed"
    elif ended is None and not auth.from_admin_network(found, client_address(), cfg.security.admin_networks):
        ended = "admin_network"
    return ended


def renew_grant(store: Store, user: User) -> None:
    """This session (and its browser's reloads) keeps going after its own password change; the
    account's other sessions end."""
    grant = auth.grant(auth.find_user(store, user.name))
    st.session_state[_GRANT] = grant
    now = time.monotonic()
    server.SIGN_INS.hold(browser_cookie(), user.name, grant, st.session_state.get(_SINCE, now), now)


def client_address() -> str | None:
    """The visitor's address: the connection's peer, or the address our reverse proxy puts in
    X-Real-IP when the peer is the proxy on this machine (deploy/nginx.conf sets it)."""
    peer = st.context.ip_address
    peer = peer if isinstance(peer, str) else None  # a test's app has no connection (its stand-in is no text)
    if peer in (None, "127.0.0.1", "::1"):
        forwarded = st.context.headers.get("X-Real-Ip")
        return forwarded or peer
    return peer


def _sign_in(store: Store, user: User, audit: bool = True) -> None:
    now = time.monotonic()
    st.session_state[_USER], st.session_state[_SINCE], st.session_state[_SEEN] = user, now, now
    grant = auth.grant(auth.find_user(store, user.name))
    st.session_state[_GRANT] = grant
    _bind()
    server.SIGN_INS.hold(browser_cookie(), user.name, grant, now)
    if audit:  # a password sign-in is audited by auth.login itself
        auth.record(store, user.name, "login")


def sign_out(store: Store, reason: str = "logout") -> None:
    """End this session's sign-in and its browser's (every tab of it); the cookie is revoked, and
    a sign-out the user asked for reloads the page so that the browser gets a new one."""
    session = _session_id()
    if session is not None:
        server.BINDINGS.unbind(session)
    server.SIGN_INS.end(browser_cookie())
    user = st.session_state.pop(_USER, None)
    for key in (_SINCE, _SEEN, _GRANT):
        st.session_state.pop(key, None)
    if user is not None:
        auth.record(store, user.name, reason)


def reload_page() -> None:
    """Load the page anew (the guard then gives a signed-out browser a new cookie). A fixed tag, no data."""
    st.markdown('<meta http-equiv="refresh" content="0">', unsafe_allow_html=True)


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


def _login_form(store: Store, cfg: Config, lang: str) -> None:
    _remember_requested_page()
    st.caption(_t("auth.product", lang))  # which product this is, before anyone has signed in
    st.title(_t("auth.title", lang))
    with st.form("auth.login"):
        name = st.text_input(_t("auth.name", lang), key="auth.name")
        password = st.text_input(_t("auth.password", lang), type="password", key="auth.password")
        submitted = st.form_submit_button(_t("auth.sign_in", lang), type="primary")
    if submitted:
        try:
            user = auth.login(store, name, password, address=client_address(), security=cfg.security)
        except AuthError as exc:  # audited by auth.login, like every attempt
            st.error(_t(f"auth.{exc.code}", lang, **exc.params))
        else:
            if auth.needs_second_factor(user, cfg.security):  # the password was right: now the phone's code
                st.session_state[_PENDING] = (user, time.monotonic())
            else:
                _sign_in(store, user, audit=False)
            st.rerun()
    if _sso_configured():
        if st.button(_t("auth.sso", lang), key="auth.sso"):
            st.login()
        if getattr(st.user, "is_logged_in", False):
            _single_sign_on(store, cfg, lang)


def _single_sign_on(store: Store, cfg: Config, lang: str) -> None:
    """An identity from the configured OIDC provider maps to the account of the same name (or e-mail);
    a role that needs a second factor still gives its one-time code here."""
    for claim in ("email", "preferred_username", "name"):
        value = st.user.get(claim)
        user = auth.find_user(store, str(value)) if value else None
        if user is not None:
            if auth.needs_second_factor(user, cfg.security):
                st.session_state[_PENDING] = (user, time.monotonic())
            else:
                _sign_in(store, user)
            st.rerun()
    st.error(_t("auth.sso_unknown", lang))


def gate(store: Store, cfg: Config, lang: str) -> User:
    """The signed-in user; shows the login form (or the forced password change) and stops the run
    when there is none yet."""
    if not auth.has_users(store):
        return _local_user(lang)
    user = _session_user(store, cfg, lang)
    if user is None and _second_factor(store, cfg, lang):
        st.stop()
    if user is None:
        _login_form(store, cfg, lang)
        st.stop()
    with st.sidebar:
        st.caption(_t("auth.signed_in", lang, name=user.name, role=_t(f"role.{user.role}", lang)))
        signing_out = st.button(_t("auth.sign_out", lang), key="auth.sign_out")
    if signing_out:
        sign_out(store)
        reload_page()  # a new cookie for this browser; the form meanwhile (and where a page is not reloaded)
        _login_form(store, cfg, lang)
        st.stop()
    reason = auth.must_change(user, cfg.password)
    if reason is not None:
        st.title(_t("auth.must_change.title", lang))
        st.warning(_t(f"auth.must_change.{reason}", lang, days=cfg.password.max_days))
        if change_form(store, cfg, user, lang, "auth.must_change"):
            st.rerun()
        st.stop()
    return user


def _second_factor(store: Store, cfg: Config, lang: str) -> bool:
    """The one-time code after a right password (or, the first time, the phone's enrolment); whether
    this run showed it. Nothing of the app is shown before it passes."""
    pending = st.session_state.get(_PENDING)
    if pending is None:
        return False
    user, since = pending
    if time.monotonic() - since > PENDING_SECONDS:
        st.session_state.pop(_PENDING, None)
        st.session_state.pop(_ENROLLING, None)
        st.info(_t("auth.code_expired", lang))
        return False
    st.title(_t("auth.code_title", lang))
    if st.session_state.get(f"{_ENROLLING}.codes") or not auth.enrolled(store, user.name):
        return _enrolment(store, cfg, user, lang)  # a new phone, or its recovery codes just made
    with st.form("auth.code_form", clear_on_submit=True):
        typed = st.text_input(_t("auth.code", lang), key="auth.code", help=_t("auth.code_help", lang))
        submitted = st.form_submit_button(_t("auth.code_submit", lang), type="primary")
    if submitted:
        if auth.check_code(store, user.name, typed, security=cfg.security):
            st.session_state.pop(_PENDING, None)
            _sign_in(store, user, audit=False)
            st.rerun()
        st.error(_t("auth.bad_code", lang))
    return True


def _enrolment(store: Store, cfg: Config, user: User, lang: str) -> bool:
    """A first sign-in of a role that needs a second factor: the phone scans a QR code, gives one code
    back, and the recovery codes are shown once."""
    import base64
    import io

    import segno

    from reform import totp

    codes = st.session_state.get(f"{_ENROLLING}.codes")
    if codes:  # enrolled this run: the recovery codes, once, then on into the app
        st.success(_t("auth.enrolled", lang))
        st.code("\n".join(codes), language=None)
        if st.button(_t("auth.enrolled_continue", lang), key="auth.enrolled_continue", type="primary"):
            st.session_state.pop(_PENDING, None)
            st.session_state.pop(f"{_ENROLLING}.codes", None)
            _sign_in(store, user, audit=False)
            st.rerun()
        return True
    secret = st.session_state.setdefault(_ENROLLING, totp.new_secret())
    st.info(_t("auth.enrol_intro", lang))
    picture = io.BytesIO()
    segno.make(totp.uri(secret, user.name, cfg.district_name + "团建监测"), error="m").save(
        picture, kind="png", scale=6
    )
    # inline (a data: address): before the code, this session is nobody's, and the guard serves no media to it
    st.image("data:image/png;base64," + base64.b64encode(picture.getvalue()).decode("ascii"), width=240)
    st.caption(_t("auth.enrol_secret", lang, secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4))))
    with st.form("auth.enrol_form", clear_on_submit=True):
        typed = st.text_input(_t("auth.code", lang), key="auth.enrol_code")
        submitted = st.form_submit_button(_t("auth.enrol_submit", lang), type="primary")
    if submitted:
        try:
            st.session_state[f"{_ENROLLING}.codes"] = auth.enrol(store, user.name, secret, typed)
        except AuthError:
            st.error(_t("auth.bad_code", lang))
        else:
            st.session_state.pop(_ENROLLING, None)
            st.rerun()
    return True


def change_form(store: Store, cfg: Config, user: User, lang: str, key: str) -> bool:
    """The own-password form (current password, the new one twice); whether it changed the password.
    This session goes on with the new password; the account's other sessions and links end."""
    from reform import actions

    with st.form(f"{key}.password_form", clear_on_submit=True):
        old = st.text_input(_t("auth.old_password", lang), type="password", key=f"{key}.old")
        first = st.text_input(_t("auth.new_password", lang), type="password", key=f"{key}.new")
        second = st.text_input(_t("auth.repeat_password", lang), type="password", key=f"{key}.new2")
        submitted = st.form_submit_button(_t("auth.change_password", lang), type="primary")
    if not submitted:
        return False
    try:
        auth.login(store, user.name, old, address=client_address(), security=cfg.security)
        if first != second:
            raise AuthError("mismatch")
        actions.set_password(store, user, user.name, first, cfg.password)
    except AuthError as exc:
        if exc.code in ("bad_login", "mismatch"):
            auth.record(store, user.name, "user_passwd", "refused", exc.code)
        st.error(_t(f"auth.{exc.code}", lang, **exc.params))
        return False
    renew_grant(store, user)
    st.success(_t("auth.password_changed", lang))
    return True
