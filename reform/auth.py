"""Accounts, roles, what each role may do, logins with lock-out, and the audit log.

Passwords are stored only as argon2 hashes (argon2-cffi). Every page and action asks
``allowed(user, action)`` on the server; an upload is also checked row by row
(``upload_problems``), and the store refuses to replace another township's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from reform.config import Config
from reform.datasets import DATASETS
from reform.ingest.report import Report
from reform.store import Store

ROLES = ("leader", "township", "district", "admin")
LOCAL = "local"  # the single user of a store without accounts (127.0.0.1 only)
MIN_PASSWORD = 10
MAX_FAILURES = 5  # failed logins before the account locks
LOCK_MINUTES = 15
SESSION_HOURS = 8  # a login expires after this long
DISTRICT_DATASETS = ("alumni", "inspections")  # district programmes: no township owns their rows

# role -> actions. Views of the dashboard are open to every role; the rest is listed.
PERMISSIONS: dict[str, frozenset[str]] = {
    "leader": frozenset({"view", "meeting", "export", "completeness"}),
    "township": frozenset({"view", "upload", "templates", "history", "completeness"}),
    "district": frozenset({"view", "meeting", "export", "upload", "templates", "history", "completeness"}),
    "admin": frozenset(
        {"view", "meeting", "export", "upload", "templates", "history", "completeness", "rollback", "users", "audit"}
    ),
}
_hasher = PasswordHasher()


class AuthError(ValueError):
    """A refused account operation; ``code`` names the message in reform.i18n."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


@dataclass(frozen=True)
class User:
    """Who is using the app: name, role, and the township a township account belongs to."""

    name: str
    role: str
    township: str | None = None

    @property
    def is_local(self) -> bool:
        return self.name == LOCAL


LOCAL_USER = User(LOCAL, "admin")


def allowed(user: User | None, action: str) -> bool:
    return user is not None and action in PERMISSIONS.get(user.role, frozenset())


def own_units(user: User, cfg: Config) -> set[str] | None:
    """The reporting units whose rows this user may write or see in history; None means all."""
    if user.role == "admin":
        return None
    if user.role == "district":
        return {cfg.committee}
    if user.role == "township" and user.township:
        return {user.township}
    return set()


# ---------------------------------------------------------------- accounts
def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AuthError("password_short", minimum=MIN_PASSWORD)


def add_user(store: Store, cfg: Config, name: str, role: str, password: str, township: str | None = None) -> User:
    """Create an account; a township account names its township."""
    name = name.strip()
    if not name or name == LOCAL:
        raise AuthError("bad_name")
    if role not in ROLES:
        raise AuthError("bad_role", roles=", ".join(ROLES))
    if role == "township" and township not in cfg.township_names:
        raise AuthError("bad_township", townships="、".join(cfg.township_names))
    if role != "township":
        township = None
    _check_password(password)
    store.init()
    with store.connect() as con:
        if con.execute("SELECT count(*) FROM users WHERE name = ?", [name]).fetchall()[0][0]:
            raise AuthError("user_exists", name=name)
        now = datetime.now().replace(microsecond=0)
        con.execute(
            "INSERT INTO users (name, role, township, password_hash, created_at, password_changed_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [name, role, township, _hasher.hash(password), now, now],
        )
    return User(name, role, township)


def set_password(store: Store, name: str, password: str) -> None:
    _check_password(password)
    with store.connect() as con:
        changed = con.execute(
            "UPDATE users SET password_hash = ?, password_changed_at = ?, failed_logins = 0, locked_until = NULL "
            "WHERE name = ?",
            [_hasher.hash(password), datetime.now().replace(microsecond=0), name],
        ).fetchall()[0][0]
    if not changed:
        raise AuthError("no_user", name=name)


def set_disabled(store: Store, name: str, disabled: bool = True) -> None:
    with store.connect() as con:
        changed = con.execute("UPDATE users SET disabled = ? WHERE name = ?", [disabled, name]).fetchall()[0][0]
    if not changed:
        raise AuthError("no_user", name=name)


def users(store: Store) -> pd.DataFrame:
    """Every account without its hash."""
    store.init()
    return store.query(
        "SELECT name, role, township, disabled, created_at, password_changed_at, failed_logins, locked_until "
        "FROM users ORDER BY name"
    )


def has_users(store: Store) -> bool:
    """Whether any account exists (asked on every page rerun: remembered until the file changes)."""
    if not store.path.exists():
        return False
    return store.remembered("has_users", lambda: _count_users(store) > 0)


def _count_users(store: Store) -> int:
    store.init()
    with store.connect() as con:
        return int(con.execute("SELECT count(*) FROM users").fetchall()[0][0])


def login(store: Store, name: str, password: str, now: datetime | None = None) -> User:
    """Check a password; count failures and lock the account after MAX_FAILURES of them."""
    now = now or datetime.now()
    with store.connect() as con:
        rows = con.execute(
            "SELECT role, township, password_hash, disabled, failed_logins, locked_until FROM users WHERE name = ?",
            [name],
        ).fetchall()
        if not rows:
            _hasher.hash(password)  # the same work as for a real account: no timing hint that the name is unknown
            raise AuthError("bad_login")
        role, township, hashed, disabled, failures, locked_until = rows[0]
        if disabled:
            raise AuthError("disabled")
        if locked_until is not None and locked_until > now:
            raise AuthError("locked", minutes=max(1, int((locked_until - now).total_seconds() // 60) + 1))
        try:
            _hasher.verify(hashed, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            failures += 1
            lock = now + timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
            con.execute(
                "UPDATE users SET failed_logins = ?, locked_until = ? WHERE name = ?",
                [0 if lock else failures, lock, name],
            )
            raise AuthError("locked" if lock else "bad_login", minutes=LOCK_MINUTES) from None
        con.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = ?", [name])
    return User(name, role, township)


def find_user(store: Store, name: str) -> User | None:
    """An enabled account by name (single sign-on; and every rerun, to sign out a disabled account).

    Remembered until the database file changes, so a disabled account is noticed on the next rerun.
    """
    return store.remembered(f"user:{name}", lambda: _enabled_user(store, name))


def _enabled_user(store: Store, name: str) -> User | None:
    with store.connect() as con:
        rows = con.execute("SELECT role, township FROM users WHERE name = ? AND NOT disabled", [name]).fetchall()
    return User(name, rows[0][0], rows[0][1]) if rows else None


# ---------------------------------------------------------------- uploads by role
def upload_problems(user: User, cfg: Config, report: Report) -> list[tuple[int, str]]:
    """Rows this user may not upload, as (row, township). Empty means the upload is allowed."""
    if not report.ok or report.frame is None or report.dataset is None:
        return []
    if user.role == "admin":
        return []
    units = own_units(user, cfg) or set()
    if report.dataset in DISTRICT_DATASETS:
        allowed_here = user.role == "district"
        return [] if allowed_here else [(int(r), cfg.committee) for r in report.frame["source_row"][:1]]
    if "township" not in DATASETS[report.dataset].column_map:
        return []
    frame = report.frame
    bad = frame[~frame["township"].isin(units)]
    return [(int(r), str(t)) for r, t in zip(bad["source_row"], bad["township"], strict=True)]


def sees_batch(user: User, cfg: Config, dataset: str, units: tuple[str, ...]) -> bool:
    """Whether a batch shows in this user's history: admins see all, others their own units' batches."""
    own = own_units(user, cfg)
    if own is None:
        return True
    if user.role == "district" and dataset in DISTRICT_DATASETS:
        return True
    return bool(own & set(units))


def write_units(user: User, cfg: Config, dataset: str) -> set[str] | None:
    """The units whose rows a commit by this user may write and replace (None: any), for the store's own check."""
    if user.role == "admin" or (user.role == "district" and dataset in DISTRICT_DATASETS):
        return None
    return own_units(user, cfg) or set()


# ---------------------------------------------------------------- the audit log
def record(store: Store, user: str | None, action: str, outcome: str = "ok", detail: str = "") -> None:
    """One line in the audit log: who did what, when, and how it ended. Never a password."""
    store.init()
    with store.connect() as con:
        con.execute(
            "INSERT INTO audit (logged_at, user_name, action, outcome, detail) VALUES (?, ?, ?, ?, ?)",
            [datetime.now().replace(microsecond=0), user, action, outcome, detail[:500]],
        )


def audit_log(store: Store, limit: int = 500) -> pd.DataFrame:
    store.init()
    return store.query(
        "SELECT id, logged_at, user_name, action, outcome, detail FROM audit ORDER BY id DESC LIMIT ?", [limit]
    )
