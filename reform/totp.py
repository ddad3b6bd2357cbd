"""One-time codes (RFC 6238 TOTP: HMAC-SHA-1, 30-second steps, 6 digits), as phone authenticator apps
make them; the second factor of GB/T 22239 level 3 (身份鉴别 d). Pure functions over a secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote

STEP = 30  # seconds a code stands
DIGITS = 6
WINDOW = 1  # steps either side accepted (a phone's clock a little off)


def new_secret() -> str:
    """20 random bytes in base32 (what an authenticator app takes by hand or from the QR code)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def code(secret: str, step: int, digits: int = DIGITS) -> str:
    """The code of one time step (RFC 4226 dynamic truncation)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def matching_step(secret: str, typed: str, now: float, after: int = -1) -> int | None:
    """The time step whose code is ``typed`` (within WINDOW of ``now``), later than ``after`` (a code
    used once is never taken again); None when there is none."""
    typed = typed.strip().replace(" ", "")
    if len(typed) != DIGITS or not typed.isdigit():
        return None
    current = int(now // STEP)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if step > after and hmac.compare_digest(code(secret, step), typed):
            return step
    return None


def uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    label = quote(f"{issuer}:{account}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&algorithm=SHA1&digits={DIGITS}&period={STEP}"


def recovery_codes(count: int = 10) -> list[str]:
    """One-time recovery codes (for a lost phone), shown once: 10 characters in two groups."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    made = ["".join(secrets.choice(alphabet) for _ in range(10)) for _ in range(count)]
    return [f"{c[:5]}-{c[5:]}" for c in made]


def digest(recovery: str) -> str:
    """How a recovery code is kept (its SHA-256; the codes are random, 50 bits each)."""
    return hashlib.sha256(recovery.strip().upper().replace("-", "").encode()).hexdigest()
