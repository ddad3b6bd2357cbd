"""The web server's own guard, in front of Streamlit's routes (``serve.py`` mounts it).

Streamlit gives every browser tab a session whose id travels in upload URLs (and so
in proxy logs); on its own, anyone who knows that id can reconnect to the session or
put files into it. This middleware binds a signed-in session to a random HttpOnly
cookie of the browser that signed in, and:

- refuses a websocket that asks to resume a signed-in session without that cookie;
- refuses uploads (before reading a byte of the body) into a session that has no
  signed-in user, or from a browser that is not the one signed in;
- serves a ``/media/`` file (downloads such as the problem list) only to the browser of
  the signed-in session that made it (media ids are content hashes, not secrets);
- refuses a request that repeats ``Cookie`` or ``Sec-WebSocket-Protocol``: Streamlit
  reads the first of several, a guard keeping another would check something else;
- answers ``/_stcore/metrics`` (which pages were used) only to this machine itself, not
  through a proxy;
- marks its cookie ``Secure`` when the request came over HTTPS (directly or, per the
  proxy's ``X-Forwarded-Proto``, through the shipped nginx);
- adds security headers to every response (no framing by other sites, a content
  security policy that keeps every request on this server, no MIME sniffing).

The bindings live in this process: a session lives in one server process too (several
servers need sticky sessions, see deploy/nginx.conf).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

BROWSER_COOKIE = "reform_browser"
CSP = (
    "default-src 'self'; "
    "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "worker-src 'self' blob:; "
    "frame-src 'self' blob: data:; "
    "frame-ancestors 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'"
)
SECURITY_HEADERS = [
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
_UPLOAD = re.compile(r"/_stcore/upload_file/([^/]+)")
_STREAM = re.compile(r"/_stcore/stream$")
_MEDIA = re.compile(r"(?<!/static)/media/([^/.?]*)")  # Streamlit's downloads, not its fonts under /static/media/
_METRICS = re.compile(r"/_stcore/metrics$")
SINGLE = (b"cookie", b"sec-websocket-protocol")  # headers a request may carry once
FORWARDED = ("x-forwarded-for", "x-real-ip", "forwarded")  # set by a proxy: the request came from elsewhere

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _digest(token: str | None) -> str | None:
    return hashlib.sha256(token.encode()).hexdigest() if token else None


class Bindings:
    """Which sessions have a signed-in user, and the browser (cookie digest) each is bound to."""

    def __init__(self) -> None:
        self._sessions: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def bind(self, session_id: str, browser_token: str | None) -> None:
        with self._lock:
            self._sessions[session_id] = _digest(browser_token)

    def unbind(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def matches(self, session_id: str, browser_token: str | None) -> bool:
        """A signed-in session, asked for by the browser it is bound to (a session signed in without
        the guard's cookie, as under a bare ``streamlit run dashboard.py``, matches only no cookie)."""
        with self._lock:
            if session_id not in self._sessions:
                return False
            return self._sessions[session_id] == _digest(browser_token)

    def is_bound(self, session_id: str) -> bool:
        with self._lock:
            return session_id in self._sessions

    def forget_except(self, live: set[str]) -> None:
        """Drop sessions Streamlit no longer has (closed tabs), so the table cannot grow without end."""
        with self._lock:
            for session_id in [s for s in self._sessions if s not in live]:
                del self._sessions[session_id]

    def __len__(self) -> int:
        return len(self._sessions)


BINDINGS = Bindings()


@dataclass
class Held:
    """A browser's sign-in, kept so that a reload (F5, a typed address, a new tab) finds it again."""

    name: str
    grant: str  # the account's grant when it signed in (``reform.auth.grant``)
    since: float  # time.monotonic() of signing in (security.max_hours counts from here)
    seen: float  # … of its last use in any tab (security.idle_minutes counts from here)


class SignIns:
    """Which browser (the digest of its HttpOnly cookie) is signed in as whom, in this process.

    A signed-out browser's cookie is revoked: it never signs in again, and the guard gives that
    browser a new cookie at its next request (the cookie rotated). A restart of the server forgets
    every sign-in (people sign in again), as a replaced Streamlit session would.
    """

    KEPT = 100_000  # browsers remembered at once (the longest unused forgotten first)

    def __init__(self) -> None:
        self._held: dict[str, Held] = {}
        self._revoked: dict[str, float] = {}
        self._lock = threading.Lock()

    def hold(self, browser_token: str | None, name: str, grant: str, since: float, seen: float | None = None) -> None:
        digest = _digest(browser_token)
        if digest is None:
            return
        with self._lock:
            if digest in self._revoked:  # a signed-out cookie this tab still holds: no reload finds it
                return
            self._held[digest] = Held(name, grant, since, since if seen is None else seen)
            if len(self._held) > self.KEPT:
                for old, _ in sorted(self._held.items(), key=lambda item: item[1].seen)[: self.KEPT // 2]:
                    del self._held[old]

    def find(self, browser_token: str | None) -> Held | None:
        digest = _digest(browser_token)
        with self._lock:
            return self._held.get(digest) if digest else None

    def touch(self, browser_token: str | None, now: float) -> None:
        digest = _digest(browser_token)
        with self._lock:
            if digest in self._held:
                self._held[digest].seen = now

    def end(self, browser_token: str | None, revoke: bool = True) -> None:
        """The browser's sign-in ends; ``revoke``: its cookie too (signing out)."""
        digest = _digest(browser_token)
        if digest is None:
            return
        with self._lock:
            self._held.pop(digest, None)
            if revoke:
                self._revoked[digest] = time.monotonic()
                if len(self._revoked) > self.KEPT:
                    for old in sorted(self._revoked, key=self._revoked.__getitem__)[: self.KEPT // 2]:
                        del self._revoked[old]

    def revoked(self, browser_token: str | None) -> bool:
        digest = _digest(browser_token)
        with self._lock:
            return digest is not None and digest in self._revoked

    def __len__(self) -> int:
        return len(self._held)


SIGN_INS = SignIns()


def media_sessions(file_id: str) -> set[str]:
    """The Streamlit sessions that hold a media file (a download they made), asked of Streamlit's
    media file manager (its tables are private: ``tests/e2e/test_guard.py`` holds them to this version)."""
    from streamlit.runtime import Runtime

    if not file_id or not Runtime.exists():
        return set()
    manager = Runtime.instance().media_file_mgr
    with manager._lock:
        found = {s for s, coords in manager._files_by_session_and_coord.items() if file_id in coords.values()}
        found |= {s for s, ids in manager._deferred_ids_by_session.items() if file_id in ids}
    return found


def repeated(scope: Scope) -> bool:
    """A header that must come once (``SINGLE``) comes more than once."""
    names = [k.lower() for k, _ in scope.get("headers", [])]
    return any(names.count(name) > 1 for name in SINGLE)


def local(scope: Scope, headers: dict[str, str]) -> bool:
    """The request comes from this machine itself, not through a proxy."""
    client = (scope.get("client") or ("", 0))[0]
    return client in ("127.0.0.1", "::1") and not any(h in headers for h in FORWARDED)


def over_https(scope: Scope, headers: dict[str, str]) -> bool:
    return scope.get("scheme") in ("https", "wss") or headers.get("x-forwarded-proto", "").lower() == "https"


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _cookie(headers: dict[str, str], name: str) -> str | None:
    jar = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # a malformed cookie header is no cookie
        return None
    found = jar.get(name)
    return found.value if found else None


async def _refuse(scope: Scope, send: Send, status: int = 403) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = b"Forbidden: sign in first\n"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), *SECURITY_HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _resumed_session(headers: dict[str, str]) -> str | None:
    """The session a websocket asks to resume (Streamlit passes it as the third subprotocol entry)."""
    entries = [e.strip() for e in headers.get("sec-websocket-protocol", "").split(",")]
    return entries[2] if len(entries) >= 3 and entries[2] else None


def allowed(scope: Scope, headers: dict[str, str], bindings: Bindings) -> bool:
    """Whether this request may reach Streamlit at all."""
    path, browser = scope.get("path", ""), _cookie(headers, BROWSER_COOKIE)
    if scope["type"] == "websocket":
        resumed = _resumed_session(headers) if _STREAM.search(path) else None
        return resumed is None or not bindings.is_bound(resumed) or bindings.matches(resumed, browser)
    upload = _UPLOAD.search(path)
    if upload and scope.get("method") in ("PUT", "POST", "DELETE"):
        return bindings.matches(upload.group(1), browser)
    media = _MEDIA.search(path)
    if media:
        return any(bindings.matches(session, browser) for session in media_sessions(media.group(1)))
    if _METRICS.search(path):
        return local(scope, headers)
    return True


class Guard:
    """ASGI middleware: the checks above, the browser cookie, and security headers on every response."""

    def __init__(
        self, app: Callable[..., Awaitable[None]], bindings: Bindings | None = None, sign_ins: SignIns | None = None
    ) -> None:
        self.app = app
        self.bindings = bindings or BINDINGS
        self.sign_ins = sign_ins or SIGN_INS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if repeated(scope) or not allowed(scope, headers, self.bindings):
            await _refuse(scope, send)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        held = _cookie(headers, BROWSER_COOKIE)
        new_cookie = None if held and not self.sign_ins.revoked(held) else secrets.token_urlsafe(32)
        secure = over_https(scope, headers)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = list(SECURITY_HEADERS)
                if new_cookie:
                    value = f"{BROWSER_COOKIE}={new_cookie}; Path=/; HttpOnly; SameSite=Strict"
                    value += "; Secure" if secure else ""
                    extra.append((b"set-cookie", value.encode()))
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
