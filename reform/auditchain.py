"""The audit log's seal: every line chained to the one before it by an HMAC (GB/T 22239 安全审计).

Each line's MAC covers its own fields and the MAC of the line before it, under a key derived from
this installation's secret (``reform.keys``; not in the database). Whoever can write to the
database but not read the key cannot edit, remove or reorder a line without ``audit --verify``
finding the first line whose MAC no longer holds. HMAC-SM3 where the OpenSSL under
``cryptography`` offers SM3 (GB/T 32905), else HMAC-SHA-256; each line names its algorithm.

Lines archived out of the store (``python -m reform audit --archive``) leave an anchor: the id and
MAC of the last archived line, from which the chain of the remaining lines is verified.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reform import keys

GENESIS = "0" * 64  # the MAC "before" the first line
ANCHOR_KEY = "audit_anchor"  # meta: "<id> <mac>" of the last archived line
_key_for_writes: contextvars.ContextVar[Callable[[], bytes] | None] = contextvars.ContextVar(
    "audit_chain_key", default=None
)


def algorithm() -> str:
    """``hmac-sm3`` where the installed OpenSSL offers SM3, else ``hmac-sha256``."""
    return "hmac-sm3" if _sm3() is not None else "hmac-sha256"


def _sm3() -> Any:
    try:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives import hmac as chmac

        probe = chmac.HMAC(b"probe", hashes.SM3())
        probe.update(b"probe")
        probe.finalize()
    except Exception:  # no cryptography, or an OpenSSL without SM3
        return None
    return hashes.SM3


def derive(secret: bytes) -> bytes:
    """The chain's own key, derived from the installation's secret (one secret to keep)."""
    return keys.derived(secret, "audit chain")


def canonical(line_id: int, logged_at: Any, user: Any, action: Any, outcome: Any, detail: Any) -> bytes:
    """One line's fields as the MAC covers them (fixed order, unit separators, times to the microsecond)."""
    stamp = logged_at.isoformat(sep=" ") if isinstance(logged_at, datetime) else str(logged_at)
    fields = [str(int(line_id)), stamp, "" if user is None else str(user), str(action), str(outcome)]
    fields.append("" if detail is None else str(detail))
    return "\x1f".join(fields).encode("utf-8")


def mac(key: bytes, name: str, previous: str, body: bytes) -> str:
    """The MAC of a line (``body``) after the line whose MAC is ``previous``."""
    message = previous.encode("ascii") + b"\x1e" + body
    if name == "hmac-sm3":
        from cryptography.hazmat.primitives import hmac as chmac

        signer = chmac.HMAC(key, _sm3()())
        signer.update(message)
        return signer.finalize().hex()
    if name == "hmac-sha256":
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    raise ValueError(f"unknown audit chain algorithm {name!r}")


@contextmanager
def sealing(key: Callable[[], bytes]) -> Iterator[None]:
    """Audit lines written inside are sealed with ``key()`` (the store's writer sets it)."""
    token = _key_for_writes.set(key)
    try:
        yield
    finally:
        _key_for_writes.reset(token)


def key() -> bytes:
    """The chain's key for the write under way; raises when there is none (asked before a line is
    written, so that a line that cannot be sealed is never written: its action fails instead)."""
    key_of = _key_for_writes.get()
    if key_of is None:
        raise RuntimeError("an audit line written outside the store's writer cannot be sealed")
    return derive(key_of())


def seal(con: Any, key: bytes, line_id: int, body: bytes) -> None:
    """Chain the line just written (inside the writer's transaction, so no other line comes between).
    Lines from before the chain existed are sealed first, as they are found."""
    name = algorithm()
    last = con.execute("SELECT id, mac FROM audit_chain ORDER BY id DESC LIMIT 1").fetchall()
    previous = last[0][1] if last else anchor(con)[1]
    after = int(last[0][0]) if last else anchor(con)[0]
    unsealed = con.execute(
        "SELECT id, logged_at, user_name, action, outcome, detail FROM audit WHERE id > ? AND id < ? ORDER BY id",
        [after, line_id],
    ).fetchall()
    for row in unsealed:  # lines written before this version (or by one without the chain)
        previous = mac(key, name, previous, canonical(*row))
        con.execute("INSERT INTO audit_chain VALUES (?, ?, ?)", [int(row[0]), name, previous])
    con.execute("INSERT INTO audit_chain VALUES (?, ?, ?)", [line_id, name, mac(key, name, previous, body)])


def anchor(con: Any) -> tuple[int, str]:
    found = con.execute("SELECT value FROM meta WHERE key = ?", [ANCHOR_KEY]).fetchall()
    if not found:
        return 0, GENESIS
    line_id, _, last = str(found[0][0]).partition(" ")
    return int(line_id), last


@dataclass(frozen=True)
class Break:
    """A line where the chain does not hold: what is wrong, in words (``reform.i18n`` key and values)."""

    line_id: int
    problem: str  # broken (this line edited, or lines before it removed or reordered) | removed | unsealed
    logged_at: Any = None


@dataclass(frozen=True)
class Verdict:
    """What ``audit --verify`` found: lines checked, the first and last, the algorithms, and any breaks."""

    checked: int
    first: int | None
    last: int | None
    last_at: Any
    algorithms: tuple[str, ...]
    breaks: tuple[Break, ...]
    anchor: int

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify(rows: Iterable[tuple[Any, ...]], secret: bytes, anchor: tuple[int, str] = (0, GENESIS)) -> Verdict:
    """Check the chain over ``rows`` (``chain_rows``: id, logged_at, user, action, outcome, detail,
    algorithm, mac, in id order). ``removed``: a seal whose line is gone; ``unsealed``: a line nobody
    sealed (put in by hand); ``broken``: a line whose MAC does not hold — the line was edited, or the
    lines before it were removed or reordered (a chain says where it breaks, not which of these)."""
    key = derive(secret)
    previous, breaks, names = anchor[1], [], set()
    first = last = None
    last_at = None
    count = 0
    for line_id, logged_at, user, action, outcome, detail, name, sealed in rows:
        count += 1
        first = line_id if first is None else first
        last, last_at = line_id, logged_at
        if sealed is None:
            breaks.append(Break(int(line_id), "unsealed", logged_at))
            continue
        names.add(str(name))
        if action is None:  # the seal stands, its line is gone
            breaks.append(Break(int(line_id), "removed", logged_at))
            previous = str(sealed)
            continue
        try:
            expected = mac(key, str(name), previous, canonical(line_id, logged_at, user, action, outcome, detail))
        except ValueError:  # an algorithm this version does not know: the seal was not made here
            expected = ""
        if not hmac.compare_digest(expected, str(sealed)):
            breaks.append(Break(int(line_id), "broken", logged_at))
        previous = str(sealed)  # go on from the stored MAC: one bad line is named once, not every later one
    return Verdict(count, first, last, last_at, tuple(sorted(names)), tuple(breaks), anchor[0])


def chain_rows(con: Any, after: int = 0) -> list[tuple[Any, ...]]:
    """Every audit line after ``after`` (the archive's anchor) with its seal, in id order, and seals whose
    line is gone (as lines of nothing)."""
    return con.execute(
        "SELECT coalesce(a.id, c.id), a.logged_at, a.user_name, a.action, a.outcome, a.detail, c.algorithm, c.mac "
        "FROM audit a FULL OUTER JOIN audit_chain c ON a.id = c.id WHERE coalesce(a.id, c.id) > ? ORDER BY 1",
        [after],
    ).fetchall()
