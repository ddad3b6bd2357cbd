"""Accounts, roles, what each role may do, logins with lock-out, and the audit log.

Passwords are stored only as argon2 hashes (argon2-cffi). Every page and action asks
``allowed(user, action)`` on the server; an upload is also checked row by row
(``upload_problems``), and the store refuses to replace another township's rows.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from reform import auditarchive, auditchain, clock, keys, totp
from reform.config import Config
from reform.datasets import DATASETS
from reform.ingest.report import Report
from reform.limits import ACCOUNT_ROLES, PasswordRule, Security
from reform.store import Store, insert_audit

ROLES = ACCOUNT_ROLES  # leader, township, district, admin, sysadmin, secadmin, auditor
SEPARATE_ADMINS = ("sysadmin", "secadmin", "auditor")  # 三员: system, security and audit administrators
ADMIN_ROLES = frozenset({"admin", *SEPARATE_ADMINS})  # sign in only from security.admin_networks
LOCAL = "local"  # the single user of a store without accounts (127.0.0.1 only)
MAX_FAILURES = Security().lock_failures  # failed sign-ins before a name locks (security.lock_failures)
LOCK_MINUTES = Security().lock_minutes  # … and for how long (security.lock_minutes)

# role -> actions. Every page and action asks for one; the dashboard's views ask for "view".
PERMISSIONS: dict[str, frozenset[str]] = {
    "leader": frozenset({"view", "meeting", "export", "completeness"}),
    "township": frozenset({"view", "home", "upload", "templates", "history", "completeness"}),
    "district": frozenset({"view", "meeting", "export", "upload", "templates", "history", "completeness", "review"}),
    # one administrator for everything: a deployment's choice (security.separate_admins: false)
    "admin": frozenset(
        {
            "view",
            "meeting",
            "export",
            "upload",
            "templates",
            "history",
            "completeness",
            "rollback",
            "users",
            "audit",
            "review",
            "security",
        }
    ),
    # 三员分立 (GB/T 22239 access control): accounts and the data's upkeep; never the audit log
    "sysadmin": frozenset({"view", "completeness", "history", "templates", "rollback", "users"}),
    # locks, throttled addresses, the policy in force and the self-check; never data
    "secadmin": frozenset({"security"}),
    # reads, verifies and exports the audit log; nothing else
    "auditor": frozenset({"audit"}),
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
    changed: str = field(default="", compare=False, repr=False)  # when its password was last set (find_user)
    temporary: bool = field(default=False, compare=False, repr=False)  # that password an administrator set

    @property
    def is_local(self) -> bool:
        return self.name == LOCAL


def grant(user: User | None) -> str:
    """What a session or a presentation link was given, as a digest: the account's role, township and
    the time its password was set. A password change or reset, a new role or a disabled account
    (no user) changes it: every session and link holding the old grant ends at its next request."""
    if user is None:
        return ""
    return hashlib.sha256(f"{user.role}|{user.township}|{user.changed}".encode()).hexdigest()[:32]


LOCAL_USER = User(LOCAL, "admin")


def from_admin_network(user: User, address: str | None, networks: tuple[str, ...]) -> bool:
    """Whether this account may work from ``address``: administrators only from ``networks`` (none
    listed: anywhere); no address is a run inside this process (the command line, tests)."""
    if user.role not in ADMIN_ROLES or not networks or address is None:
        return True
    import ipaddress

    try:
        ip = ipaddress.ip_address(address.strip().split("%")[0])
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def allowed(user: User | None, action: str) -> bool:
    """Whether ``user`` may do ``action``; "account" (one's own password) is every account's."""
    if action == "account":
        return user is not None
    return user is not None and action in PERMISSIONS.get(user.role, frozenset())


def own_units(user: User, cfg: Config) -> set[str] | None:
    """The reporting units whose rows this user may write or see in history; None means all."""
    if user.role in ("admin", "sysadmin"):
        return None
    if user.role == "district":
        return {cfg.committee}
    if user.role == "township" and user.township:
        return {user.township}
    return set()


# ---------------------------------------------------------------- accounts
def check_password(password: str, name: str, rule: PasswordRule | None = None) -> None:
    """A password the rule accepts: long enough, mixing enough kinds of characters, not the account's
    own name (forwards or backwards, in any case)."""
    rule = rule or PasswordRule()
    if len(password) < rule.min_length:
        raise AuthError("password_short", minimum=rule.min_length)
    kinds = [any(c.isupper() for c in password), any(c.islower() for c in password)]
    kinds += [
        any(c.isdigit() for c in password),
        any(not (c.isalpha() and c.isascii()) and not c.isdigit() for c in password),
    ]
    if sum(kinds) < rule.classes:
        raise AuthError("password_weak", classes=rule.classes)
    folded = password.strip().casefold()
    if name.strip() and folded in (name.strip().casefold(), name.strip().casefold()[::-1]):
        raise AuthError("password_is_name")


def must_change(user: User, rule: PasswordRule, now: datetime | None = None) -> str | None:
    """Why this account must change its password before anything else, or None: ``temporary`` (an
    administrator set it: a new account or a reset) or ``expired`` (older than ``rule.max_days``)."""
    if user.is_local:
        return None
    if user.temporary and rule.change_temporary:
        return "temporary"
    if rule.max_days and user.changed not in ("", "None", "NaT"):
        set_at = datetime.fromisoformat(user.changed)
        if (now or clock.now()) - set_at > timedelta(days=rule.max_days):
            return "expired"
    return None


def _reused(con: Any, name: str, password: str, rule: PasswordRule) -> bool:
    """Whether ``password`` is one of the account's last ``rule.history`` passwords (the current one
    included, also for an account older than the history)."""
    if rule.history <= 0:
        return False
    hashes = [
        r[0]
        for r in con.execute(
            "SELECT password_hash FROM password_history WHERE name = ? ORDER BY set_at DESC LIMIT ?",
            [name, rule.history],
        ).fetchall()
    ]
    hashes += [r[0] for r in con.execute("SELECT password_hash FROM users WHERE name = ?", [name]).fetchall()]
    with _verifying:
        for hashed in dict.fromkeys(hashes):
            try:
                if _hasher.verify(hashed, password):
                    return True
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                continue
    return False


def _remember(con: Any, name: str, hashed: str, now: datetime, temporary: bool) -> None:
    """A password into the account's history, timed to the microsecond (two set within a second keep
    their order: the history rule counts the last ones)."""
    exact = datetime.now(UTC).replace(tzinfo=None)
    con.execute(
        "INSERT INTO password_history (password_hash, name, set_at, temporary) VALUES (?, ?, ?, ?)",
        [hashed, name, exact if abs(exact - now) < timedelta(seconds=2) else now, temporary],
    )


def add_user(
    store: Store,
    cfg: Config,
    name: str,
    role: str,
    password: str,
    township: str | None = None,
    audit: AuditAs | None = None,
    temporary: bool = False,
) -> User:
    """Create an account; a township account names its township. ``temporary``: an administrator chose
    the password, which the holder changes at first sign-in (``security.password_change_temporary``)."""
    name = name.strip()
    if not name or name == LOCAL or len(name) > MAX_NAME:
        raise AuthError("bad_name")
    if role not in ROLES:
        raise AuthError("bad_role", roles=", ".join(ROLES))
    if role == "township" and township not in cfg.township_names:
        raise AuthError("bad_township", townships="、".join(cfg.township_names))
    if role != "township":
        township = None
    check_password(password, name, cfg.password)
    store.init()
    hashed = _hasher.hash(password)
    with _audited(store, audit, f"{name} ({role}{', ' + township if township else ''})") as con:
        if con.execute("SELECT count(*) FROM users WHERE name = ?", [name]).fetchall()[0][0]:
            raise AuthError("user_exists", name=name)
        now = clock.now()
        con.execute(
            "INSERT INTO users (name, role, township, password_hash, created_at, password_changed_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [name, role, township, hashed, now, now],
        )
        _remember(con, name, hashed, now, temporary)
    return User(name, role, township)


AuditAs = tuple[str | None, str]  # (who acts, action): the audit line an account change writes with it


@contextmanager
def _audited(store: Store, audit: AuditAs | None, detail: str) -> Iterator[Any]:
    """A write transaction that ends with its audit line, or rolls back whole (an error, a refusal)."""
    with store.writing() as con:
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
            if audit is not None:
                insert_audit(con, audit[0], audit[1], "ok", detail)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def set_password(
    store: Store,
    name: str,
    password: str,
    rule: PasswordRule | None = None,
    audit: AuditAs | None = None,
    temporary: bool = False,
) -> None:
    """A new password, not one of the account's last ``rule.history``; it also lifts a lock on the name
    (an administrator's way to unlock). ``temporary``: an administrator's reset, changed at first sign-in."""
    rule = rule or PasswordRule()
    check_password(password, name, rule)
    hashed = _hasher.hash(password)
    with _audited(store, audit, name + (" (temporary)" if temporary else "")) as con:
        if _reused(con, name, password, rule):
            raise AuthError("password_reused", count=rule.history)
        now = clock.now()
        changed = con.execute(
            "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE name = ?",
            [hashed, now, name],
        ).fetchall()[0][0]
        if not changed:
            raise AuthError("no_user", name=name)
        _remember(con, name, hashed, now, temporary)
    with store.guard() as guard:  # a new password lifts the lock on the name
        guard.clear(guard_key("name", name))


def set_role(store: Store, name: str, role: str, audit: AuditAs | None = None) -> None:
    """A new role for an account (its sessions and links end: the grant changes)."""
    if role not in ROLES:
        raise AuthError("bad_role", roles=", ".join(ROLES))
    with _audited(store, audit, f"{name} -> {role}") as con:
        changed = con.execute("UPDATE users SET role = ? WHERE name = ?", [role, name]).fetchall()[0][0]
        if not changed:
            raise AuthError("no_user", name=name)


def generated_password(rule: PasswordRule | None = None) -> str:
    """A random password the rule accepts (for an account the command line makes): 16 characters
    of all four kinds, without look-alikes."""
    rule = rule or PasswordRule()
    kinds = ("ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz", "23456789", "-_.!@#%+=")
    length = max(16, rule.min_length)
    chosen = [secrets.choice(k) for k in kinds]
    chosen += [secrets.choice("".join(kinds)) for _ in range(length - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)


def set_disabled(store: Store, name: str, disabled: bool = True, audit: AuditAs | None = None) -> None:
    with _audited(store, audit, name) as con:
        changed = con.execute("UPDATE users SET disabled = ? WHERE name = ?", [disabled, name]).fetchall()[0][0]
        if not changed:
            raise AuthError("no_user", name=name)


def role_of(store: Store, name: str) -> str | None:
    """An account's role, enabled or not (None: no such account)."""
    store.init()
    with store.connect() as con:
        rows = con.execute("SELECT role FROM users WHERE name = ?", [name]).fetchall()
    return str(rows[0][0]) if rows else None


def users(store: Store) -> pd.DataFrame:
    """Every account without its hash."""
    store.init()
    found = store.query(
        "SELECT name, role, township, disabled, created_at, password_changed_at FROM users ORDER BY name"
    )
    with store.guard(write=False) as guard:
        counted = guard.rows("name:")
    keys = found["name"].map(lambda n: guard_key("name", str(n)))
    found["failed_logins"] = keys.map(lambda k: counted.get(k, (0, None))[0]).astype("int64")
    found["locked_until"] = pd.to_datetime(keys.map(lambda k: counted.get(k, (0, None))[1]))
    return found


def has_users(store: Store) -> bool:
    """Whether any account exists (asked on every page rerun: remembered until the file changes)."""
    if not store.exists():
        return False
    return store.remembered("has_users", lambda: _count_users(store) > 0)


def _count_users(store: Store) -> int:
    store.init()
    with store.connect() as con:
        return int(con.execute("SELECT count(*) FROM users").fetchall()[0][0])


# ---------------------------------------------------------------- signing in
MAX_NAME = 64  # a longer user name is cut to this in the lock-out table and the audit log
ADDRESS_FAILURES = 30  # failed sign-ins from one client address before that address is slowed down
ADDRESS_DELAY_MAX = 10.0  # seconds: the longest wait an attempt from a slowed address gets
ADDRESSES_KEPT = 50_000  # client addresses remembered at once (the oldest forgotten first)
ADDRESS_WINDOW_MINUTES = 15  # an address's failures are forgotten this long after its last one
_verifying = threading.BoundedSemaphore(1)  # argon2 takes 64 MiB a check: one at a time per process
_dummy_hash: list[str] = []


def _dummy() -> str:
    """A hash no password matches, checked for unknown, disabled and locked names (the same work)."""
    if not _dummy_hash:
        _dummy_hash.append(_hasher.hash(secrets.token_hex(16)))
    return _dummy_hash[0]


class Addresses:
    """Failed sign-ins per client address, in this server's memory: past ADDRESS_FAILURES in a window,
    each attempt from the address waits before it is checked (0.5 s, doubling, at most
    ADDRESS_DELAY_MAX). A throttle, not a blackout: one visitor behind a township's NAT slows the
    township's sign-ins down, and a right password still signs in. Names keep their own lock."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, datetime]] = {}  # address -> (failures, last failure)
        self._lock = threading.Lock()

    def _failures(self, address: str, now: datetime) -> int:
        failures, last = self._seen.get(address, (0, now))
        return failures if now - last < timedelta(minutes=ADDRESS_WINDOW_MINUTES) else 0

    def delay(self, address: str | None, now: datetime) -> float:
        """How long an attempt from ``address`` waits before it is checked."""
        if address is None:
            return 0.0
        with self._lock:
            over = self._failures(address, now) - ADDRESS_FAILURES
        return 0.0 if over < 0 else min(0.5 * 2 ** min(over, 16), ADDRESS_DELAY_MAX)

    def failed(self, address: str | None, now: datetime) -> None:
        if address is None:
            return
        with self._lock:
            self._seen[address] = (self._failures(address, now) + 1, now)
            if len(self._seen) > ADDRESSES_KEPT:  # the oldest half goes: a flood of addresses stays bounded
                for old, _ in sorted(self._seen.items(), key=lambda item: item[1][1])[: ADDRESSES_KEPT // 2]:
                    del self._seen[old]

    def slowed(self, now: datetime) -> list[tuple[str, int, float]]:
        """The addresses slowed now: (address, failures, seconds each attempt waits)."""
        with self._lock:
            found = [(a, self._failures(a, now)) for a in self._seen]
        return sorted((a, n, self.delay(a, now)) for a, n in found if n >= ADDRESS_FAILURES)

    def lift(self, address: str) -> bool:
        """An administrator lifts the throttle on an address (this server's)."""
        with self._lock:
            return self._seen.pop(address, None) is not None


ADDRESSES = Addresses()


@dataclass(frozen=True)
class _Claim:
    """One sign-in attempt counted before its password is checked."""

    account: tuple[str, str | None, str] | None  # role, township, hash of an enabled account
    verify: bool  # False: the name is locked (or unknown/disabled), check the dummy hash only
    reason: str  # for the audit log only: wrong_password, locked, unknown, disabled
    number: int = 0  # this attempt's place among the name's failures in the window (1 = the first)


def guard_key(kind: str, value: str) -> str:
    return f"{kind}:{value[:MAX_NAME].lower()}"


def _count(guard: Any, key: str, limit: int, minutes: int, now: datetime) -> tuple[int, bool]:
    """Add this attempt to a key's failures in the current window; (failures, locked before it)."""
    failures, locked_until = guard.get(key)
    if locked_until is not None and locked_until <= now:  # the lock has run out: a fresh window
        failures, locked_until = 0, None
    if locked_until is not None:
        return failures, True
    failures += 1
    guard.put(key, failures, now + timedelta(minutes=minutes) if failures >= limit else None, now)
    return failures, False


def _claim(store: Store, name: str, now: datetime, security: Security | None = None) -> _Claim:
    """Count the attempt first, in one transaction of the sign-in guard (a DuckDB file's writer lock,
    or the name's row locked in PostgreSQL): however many arrive at once, the sixth finds the name
    locked and is never verified."""
    security = security or Security()
    with store.guard() as guard:
        number, locked = _count(guard, guard_key("name", name), security.lock_failures, security.lock_minutes, now)
        if secrets.randbelow(50) == 0:  # now and then, forget windows that have run out
            guard.forget_before(now, security.lock_minutes)
    with store.connect() as con:
        rows = con.execute(
            "SELECT role, township, password_hash, disabled FROM users WHERE name = ?", [name]
        ).fetchall()
    account = (rows[0][0], rows[0][1], rows[0][2]) if rows and not rows[0][3] else None
    reason = "locked" if locked else "wrong_password"
    if not rows:
        reason = "unknown" if not locked else reason
    elif rows[0][3]:
        reason = "disabled" if not locked else reason
    return _Claim(account, verify=account is not None and not locked, reason=reason, number=number)


def _settle(store: Store, name: str, user: User | None, reason: str, now: datetime, number: int = 0) -> None:
    """After the check: a right password clears the name's failures — unless attempts were counted after
    it (``number``: its place among them), which keep counting, so a burst that holds the right password
    still has at most MAX_FAILURES guesses verified; every attempt, right or wrong, gets its audit line."""
    if user is not None:
        with store.guard() as guard:
            guard.clear(guard_key("name", name), at_most=number)
    with _audited(store, None, "") as con:  # the line and its seal, or neither
        insert_audit(con, name[:MAX_NAME] or None, "login", "ok" if user else "refused", reason, now)


def login(
    store: Store,
    name: str,
    password: str,
    now: datetime | None = None,
    address: str | None = None,
    security: Security | None = None,
) -> User:
    """Check a password; every failure answers ``bad_login`` alike, whatever the reason.

    The attempt is counted before the password is checked, so at most MAX_FAILURES guesses at a
    name are ever verified before it locks (``security.lock_failures`` and ``lock_minutes``), however
    many arrive in parallel.
    An unknown, disabled or locked name costs the same argon2 check (against a dummy hash) and
    answers the same words, so neither time nor text tells whether an account exists. A client
    address with ADDRESS_FAILURES failures waits before each attempt (``Addresses``), and is still
    answered: a right password signs in.
    """
    now = now or clock.now()
    name = name.strip()
    store.init()
    wait = ADDRESSES.delay(address, now)
    if wait:
        time.sleep(wait)
    security = security or Security()
    claim = _claim(store, name[:MAX_NAME], now, security)
    if claim.account and not from_admin_network(User(name, claim.account[0]), address, security.admin_networks):
        claim = _Claim(claim.account, verify=False, reason="admin_network", number=claim.number)  # never verified
    with _verifying:
        hashed = claim.account[2] if claim.verify and claim.account else _dummy()
        try:
            _hasher.verify(hashed, password)
            user = User(name, claim.account[0], claim.account[1]) if claim.verify and claim.account else None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            user = None
    if user is None:  # a right password does not clear the address (behind a NAT, others share it)
        ADDRESSES.failed(address, now)
    _settle(store, name[:MAX_NAME], user, "ok" if user else claim.reason, now, claim.number)
    if user is None:
        raise AuthError("bad_login", failures=security.lock_failures, minutes=security.lock_minutes)
    return find_user(store, name) or user  # with when its password was set, and by whom


# ---------------------------------------------------------------- second factor (level 3)
def needs_second_factor(user: User, security: Security) -> bool:
    """Whether this account also gives a one-time code at sign-in (``security.second_factor``)."""
    return not user.is_local and user.role in security.second_factor


def _factor_key(store: Store) -> bytes:
    return keys.derived(store.secret(), "second factor")


def enrolled(store: Store, name: str) -> bool:
    store.init()
    with store.connect() as con:
        return bool(con.execute("SELECT count(*) FROM second_factor WHERE name = ?", [name]).fetchall()[0][0])


def enrol(store: Store, name: str, secret: str, typed: str, now: float | None = None) -> list[str]:
    """Keep a phone's secret once the code it shows is right (so the phone really holds it); the secret
    encrypted (AES-GCM, the installation's key). Returns 10 recovery codes, shown once, kept hashed."""
    step = totp.matching_step(secret, typed, time.time() if now is None else now)
    if step is None:
        record(store, name, "second_factor_enrol", "refused", "wrong_code")
        raise AuthError("bad_code")
    codes = totp.recovery_codes()
    sealed = keys.encrypt(_factor_key(store), secret)
    with _audited(store, (name, "second_factor_enrol"), name) as con:
        con.execute(
            "INSERT OR REPLACE INTO second_factor VALUES (?, ?, ?, ?, ?)",
            [name, sealed, clock.now(), step, ",".join(totp.digest(c) for c in codes)],
        )
    return codes


def check_code(store: Store, name: str, typed: str, now: float | None = None, security: Security | None = None) -> bool:
    """A one-time code (or one recovery code, used up) for an enrolled account. Wrong codes count
    toward the same lock as wrong passwords (``security.lock_failures``); a code used once is refused."""
    security = security or Security()
    stamp = clock.now()
    with store.guard() as guard:
        _, locked = _count(guard, guard_key("code", name), security.lock_failures, security.lock_minutes, stamp)
    with store.connect() as con:
        rows = con.execute("SELECT secret, last_step, recovery FROM second_factor WHERE name = ?", [name]).fetchall()
    reason, update = ("locked" if locked else "wrong_code"), None
    if rows and not locked:
        secret = keys.decrypt(_factor_key(store), rows[0][0])
        last = -1 if rows[0][1] is None else int(rows[0][1])
        step = totp.matching_step(secret, typed, time.time() if now is None else now, last)
        left = [d for d in str(rows[0][2] or "").split(",") if d]
        if step is not None:  # taken only if no other attempt took this step (or a later one) meanwhile
            reason = "ok"
            update = ("UPDATE second_factor SET last_step = ? WHERE name = ? AND coalesce(last_step, -1) < ?", step)
        elif totp.digest(typed) in left:  # used up only if the list is still the one read
            reason = "recovery_code"
            kept = ",".join(d for d in left if d != totp.digest(typed))
            update = ("UPDATE second_factor SET recovery = ? WHERE name = ? AND recovery = ?", kept, rows[0][2])
    with _audited(store, None, "") as con:
        if update is not None:
            sql, value, *guard_value = update
            changed = con.execute(sql, [value, name, *(guard_value or [value])]).fetchall()[0][0]
            if not changed:  # the same code in two attempts at once: the second is refused
                reason, update = "code_reused", None
        insert_audit(con, name, "second_factor", "ok" if update else "refused", reason)
    if update is not None:
        with store.guard() as guard:
            guard.clear(guard_key("code", name))
    return update is not None


def reset_second_factor(store: Store, name: str, audit: AuditAs | None = None) -> bool:
    """Forget an account's phone (a lost phone): it enrols again at its next sign-in."""
    with _audited(store, audit, name) as con:
        return bool(con.execute("DELETE FROM second_factor WHERE name = ?", [name]).fetchall()[0][0])


def unlock(store: Store, name: str, audit: AuditAs | None = None) -> bool:
    """An administrator lifts the lock on a name (its failures forgotten); whether it was locked."""
    key = guard_key("name", name)
    if audit is not None:  # first: an unlock whose audit line cannot be written does not happen
        record(store, audit[0], audit[1], "ok", name)
    with store.guard() as guard:
        held = key in guard.rows(key) or guard_key("code", name) in guard.rows(guard_key("code", name))
        guard.clear(key)
        guard.clear(guard_key("code", name))  # wrong one-time codes lock the same way
    return held


def find_user(store: Store, name: str) -> User | None:
    """An enabled account by name (single sign-on; and every rerun, to sign out a disabled account).

    Remembered until the database file changes, so a disabled account is noticed on the next rerun.
    """
    return store.remembered(f"user:{name}", lambda: _enabled_user(store, name))


def _enabled_user(store: Store, name: str) -> User | None:
    with store.connect() as con:
        rows = con.execute(
            "SELECT u.role, u.township, u.password_changed_at, coalesce(bool_or(h.temporary), false) "
            "FROM users u LEFT JOIN password_history h ON h.name = u.name AND h.password_hash = u.password_hash "
            "WHERE u.name = ? AND NOT u.disabled GROUP BY ALL",
            [name],
        ).fetchall()
    if not rows:
        return None
    changed = rows[0][2].isoformat(sep=" ") if rows[0][2] is not None else ""
    return User(name, rows[0][0], rows[0][1], changed, bool(rows[0][3]))


# ---------------------------------------------------------------- uploads by role
def upload_problems(user: User, cfg: Config, report: Report, store: Store | None = None) -> list[tuple[int, str]]:
    """Rows this user may not upload, as (row, township). Empty means the upload is allowed.

    With ``store``, also the rows whose key would replace another unit's current row (a Youth
    Home or member unit name shared with another township): the commit refuses those too, so
    the dry run must not say the file can be saved.
    """
    if not report.ok or report.frame is None or report.dataset is None:
        return []
    own = foreign_rows(user, cfg, report)
    units = write_units(user, cfg, report.dataset)
    if own or store is None or units is None:
        return own
    return store.foreign_replacements(report, units)


def foreign_rows(user: User, cfg: Config, report: Report) -> list[tuple[int, str]]:
    """Rows naming a unit this user may not write, as (row, unit)."""
    if report.frame is None or report.dataset is None:
        return []
    if user.role == "admin":
        return []
    units = own_units(user, cfg) or set()
    if DATASETS[report.dataset].owner == "district":
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
    if user.role == "district" and DATASETS[dataset].owner == "district":
        return True
    return bool(own & set(units))


def history_scope(user: User, cfg: Config) -> dict[str, set[str] | None]:
    """Per dataset, the units whose rows this user sees in history (None: all): what they may write."""
    return {name: write_units(user, cfg, name) for name in DATASETS}


def write_units(user: User, cfg: Config, dataset: str) -> set[str] | None:
    """The units whose rows a commit by this user may write and replace (None: any), for the store's own check."""
    if user.role in ("admin", "sysadmin") or (user.role == "district" and DATASETS[dataset].owner == "district"):
        return None
    return own_units(user, cfg) or set()


# ---------------------------------------------------------------- the audit log
def record(store: Store, user: str | None, action: str, outcome: str = "ok", detail: str = "") -> None:
    """One line in the audit log: who did what, when, and how it ended. Never a password; names and
    details are cut to a fixed length (a visitor's 2 MB user name must not grow the database)."""
    store.init()
    with _audited(store, None, "") as con:  # the line and its seal, or neither
        insert_audit(con, user, action, outcome, detail)


def verify_audit(store: Store) -> auditchain.Verdict:
    """Check the audit log's chain (``python -m reform audit --verify``): every line sealed, none
    edited, removed or reordered since it was written (from the last archive's anchor on)."""
    store.init()
    with store.connect() as con:
        anchor = auditchain.anchor(con)
        rows = auditchain.chain_rows(con, anchor[0])
    return auditchain.verify(rows, store.secret(), anchor)


def archive_audit(store: Store, folder: Path, before: date, today: date) -> auditarchive.Archived:
    """Move the audit lines written before ``before`` (at least 180 days ago) into a signed archive in
    ``folder``; they leave the store only once the file verifies, and the store's chain must hold first."""
    cut = auditarchive.cutoff(before, today)
    store.init()
    with store.connect() as con:
        anchor = auditchain.anchor(con)
        rows = auditchain.chain_rows(con, anchor[0])
    if not auditchain.verify(rows, store.secret(), anchor).ok:
        raise auditarchive.ArchiveError("archive_broken")
    old = []
    for row in rows:  # the chain's oldest lines, up to the first one on or after the cut
        if row[1] is None or row[1] >= cut:
            break
        old.append(row)
    archived = auditarchive.write(old, anchor, folder, store.secret())
    store.forget_archived_audit(int(old[-1][0]), str(old[-1][7]))
    return archived


def audit_log(store: Store, limit: int = 500) -> pd.DataFrame:
    """The newest lines (past the last archive's anchor: a replica may still hold archived ones)."""
    store.init()
    with store.connect() as con:
        after = auditchain.anchor(con)[0]
    return store.query(
        "SELECT id, logged_at, user_name, action, outcome, detail FROM audit WHERE id > ? ORDER BY id DESC LIMIT ?",
        [after, limit],
    )
