"""Signed links to presentation mode and the big screen (数据大屏).

A leader starts a presentation from the meeting page; the slides are then served on
their own page (``ui.present``) with no Streamlit around them. The link carries what
to show (data version, slides, scope, language) and who asked, signed with the
server's key, so any server of a cluster sharing that key can serve it and a restart
does not break a big screen that has run for days. It is bound to the browser that
asked (the guard's HttpOnly cookie) and expires; the account is checked again on
every request, so a disabled user's screen stops at its next reload, and so does a
link made before the account's password or role changed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from reform import backup, keys

MODES = ("meeting", "screen")
HOURS = {"meeting": 12, "screen": 24 * 30}  # how long a link works: a meeting day, a month of big screen


class LinkError(ValueError):
    """A presentation link that is forged, altered, expired or malformed."""


@dataclass(frozen=True)
class Showing:
    """What one presentation link shows, and to whom."""

    user: str
    browser: str  # sha256 of the browser cookie that asked ("" where no guard runs)
    mode: str  # meeting (frozen version, keys turn the pages) | screen (newest version, slides advance)
    version: int  # the frozen data version (a big screen follows the newest: 0)
    keys: tuple[str, ...]  # the slides chosen
    lang: str
    first_year: int
    last_year: int
    townships: tuple[str, ...]
    expires: int  # Unix time
    published: bool = False  # with review on: approved figures only (as leaders see them)
    grant: str = ""  # the account's grant when the link was made (``reform.auth.grant``): a new password ends it


def key(database: Path) -> bytes:
    """This installation's link key, derived from its backup key (one secret to share in a cluster)."""
    return keys.derived(backup.signing_key(database, create=True), "presentation links")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(showing: Showing, secret: bytes) -> str:
    payload = _b64(json.dumps(asdict(showing), ensure_ascii=False, separators=(",", ":")).encode())
    return f"{payload}.{_b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())}"


def read(token: str, secret: bytes, now: float | None = None) -> Showing:
    """The showing a link names, once its signature verifies and it has not expired."""
    payload, _, signature = token.partition(".")
    expected = _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())
    if not signature or not hmac.compare_digest(signature, expected):
        raise LinkError("the link's signature does not verify")
    try:
        data = json.loads(_unb64(payload))
        showing = Showing(**{**data, "keys": tuple(data["keys"]), "townships": tuple(data["townships"])})
    except (ValueError, TypeError, KeyError) as exc:
        raise LinkError("the link is malformed") from exc
    if showing.mode not in MODES:
        raise LinkError("the link names no known mode")
    if showing.expires < (now if now is not None else time.time()):
        raise LinkError("the link has expired")
    return showing


def browser_digest(cookie: str | None) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest() if cookie else ""
