"""The actions layer: every change to the store, for the pages and the command line alike.

Each action checks the actor's role, does the work and writes its audit line in the same
transaction (a commit never lands without its line, nor a line without its commit); a refusal
is audited too and raised as ``RefusedError`` with the message key the front end shows. The pages
(``ui/``) and the command line (``reform.cli``) call these and nothing below them.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from reform import auditarchive, auth, i18n, slices, text
from reform.auth import AuthError, User
from reform.config import Config
from reform.ingest.report import Progress, Report
from reform.limits import PasswordRule
from reform.slices import LockedSliceError
from reform.store import CommitResult, Store

OS_PREFIX = "os:"  # the audit name of an operator at the machine who named no account


class RefusedError(Exception):
    """An action this actor may not take (or that would break a rule); ``code`` names the message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def operator() -> User:
    """The person at the machine running the command line without ``--as``: recorded as such.

    Whoever can run commands on the server can open the database file itself, so the role is
    admin; the audit log names the operating-system account, e.g. ``os:root``.
    """
    return User(f"{OS_PREFIX}{getpass.getuser()}", "admin")


def account(store: Store, name: str) -> User:
    """The existing, enabled account ``--as`` names; RefusedError otherwise."""
    user = auth.find_user(store, name)
    if user is None:
        raise RefusedError("no_account", name=name)
    return user


def _require(store: Store, actor: User, permission: str, action: str, detail: str) -> None:
    if not auth.allowed(actor, permission):
        auth.record(store, actor.name, action, "refused", f"{detail}: not allowed for {actor.role}")
        raise RefusedError("forbidden")


EXPLANATION_CHARS = 1000  # the longest explanation of a soft check rule that is kept


def upload(
    store: Store,
    cfg: Config,
    actor: User,
    report: Report,
    progress: Progress = None,
    explanations: dict[str, str] | None = None,
) -> CommitResult:
    """Store a checked file as ``actor``: their role, their township's rows only, no replacement of
    another township's rows through a shared key, an explanation for every soft check rule the file
    breaks; the batch, its explanations and its audit line in one transaction."""
    detail = f"{report.file_name} ({report.dataset})"
    _require(store, actor, "upload", "upload", detail)
    if not report.ok:
        raise RefusedError("has_errors", count=len(report.errors))
    given = {k: text.flat(v, EXPLANATION_CHARS) for k, v in (explanations or {}).items()}
    missing = [rule for rule in report.needs_explanation() if not given.get(rule)]
    if missing:
        said = report.needs_explanation()
        raise RefusedError(
            "needs_explanation",
            rules="；".join(str(said[r][0].params.get("rule_text")) for r in missing),
            rules_en="; ".join(str(said[r][0].params.get("rule_text_en")) for r in missing),
        )
    problems = auth.upload_problems(actor, cfg, report, store)
    if problems:
        rows = "、".join(str(r) for r, _ in problems[:10]) + (" …" if len(problems) > 10 else "")
        units = "、".join(sorted({u for _, u in problems}))
        auth.record(store, actor.name, "upload", "refused", f"{report.file_name}: rows {rows} of {units}")
        raise RefusedError("upload_refused", rows=rows, units=units)

    explained = "".join(f"; explained {rule}: {given[rule]}" for rule in report.needs_explanation())

    def line(result: CommitResult) -> tuple[str, str, str, str]:
        return actor.name, "upload", "ok", f"{detail}: batch {result.batch_id}, {result.rows_stored} rows{explained}"

    try:
        result = store.commit(
            report,
            actor.name,
            units=auth.write_units(actor, cfg, report.dataset or ""),
            progress=progress,
            audit=line,
            review=cfg.review_required,
            explanations=[
                (rule, p.row, i18n.t("problem.check_hard", **p.params), given[rule])
                for rule, problems in report.needs_explanation().items()
                for p in problems
            ],
        )
    except LockedSliceError as exc:
        auth.record(store, actor.name, "upload", "refused", f"{report.file_name}: {exc}")
        raise RefusedError("slice_locked", slices=_slice_names(exc)) from None
    except PermissionError as exc:
        auth.record(store, actor.name, "upload", "refused", f"{report.file_name}: {exc}")
        raise RefusedError("upload_refused_replace") from None
    if result.duplicate_of is not None:
        auth.record(store, actor.name, "upload", "duplicate", f"{detail}: batch {result.duplicate_of}")
    return result


def review_steps(store: Store, cfg: Config, actor: User, steps: list[Any], reason: str = "") -> int:
    """Take review steps (``reform.review.take``: role, separation of duties, state, audit line, all or
    none); a return is then told to its township at once through its channel (exactly once)."""
    from reform import review

    count = review.take(store, cfg, actor, steps, reason)
    if any(step.step == "return" for step in steps) and cfg.notify.channels:
        from reform import notify

        notify.send_returns(store, cfg)  # a failed send is recorded and retried by the scheduled run
    return count


def _slice_names(exc: LockedSliceError) -> str:
    return slice_names(exc.slices)


def slice_names(locked: list[tuple[str, str]]) -> str:
    """Locked slices as a reader names them: 甲镇 2025（已审核通过）."""
    said = {"submitted": "已提交审核", "approved": "已审核通过"}
    names = [f"{slices.words(key)}（{said.get(state, state)}）" for key, state in locked[:5]]
    return "、".join(names) + (" …" if len(locked) > 5 else "")


def _history_line(actor: User, action: str, what: str) -> Callable[[CommitResult], tuple[str, str, str, str]]:
    def line(result: CommitResult) -> tuple[str, str, str, str]:
        return actor.name, action, "ok", f"{what} -> batch {result.batch_id}, {result.rows_stored} rows"

    return line


def restore(store: Store, actor: User, batch_id: int, slices: list[dict[str, Any]] | None = None) -> CommitResult:
    """Make an earlier batch's rows (or some of its slices) current again, as a new recorded batch."""
    what = f"batch {batch_id}" + (f" slice {slices}" if slices else "")
    _require(store, actor, "rollback", "restore", what)
    try:
        return store.restore(batch_id, actor.name, slices, audit=_history_line(actor, "restore", what))
    except LockedSliceError as exc:
        auth.record(store, actor.name, "restore", "refused", f"{what}: {exc}")
        raise RefusedError("slice_locked", slices=_slice_names(exc)) from None


def rollback(store: Store, actor: User, batch_id: int) -> CommitResult:
    """Undo a batch: the rows it replaced come back, as a new recorded batch."""
    what = f"batch {batch_id}"
    _require(store, actor, "rollback", "rollback", what)
    try:
        return store.undo(batch_id, actor.name, audit=_history_line(actor, "rollback", what))
    except LockedSliceError as exc:
        auth.record(store, actor.name, "rollback", "refused", f"{what}: {exc}")
        raise RefusedError("slice_locked", slices=_slice_names(exc)) from None


def remove_sample(store: Store, actor: User) -> list[CommitResult]:
    """Retire every current row of sample data, one recorded batch per sample batch (nothing deleted:
    the history keeps them, and each removal can itself be rolled back)."""
    _require(store, actor, "rollback", "sample_remove", "sample data")
    done = []
    for batch_id in store.sample_batches():
        what = f"sample batch {batch_id}"
        done.append(
            store.undo(batch_id, actor.name, audit=_history_line(actor, "sample_remove", what), kind="sample_remove")
        )
    return done


def creatable_roles(actor: User, cfg: Config) -> tuple[str, ...]:
    """The roles this actor may give a new account: administrators' roles only from the server's
    command line or a combined administrator (a system administrator cannot make an auditor, nor
    itself more); the combined ``admin`` not at all where the three are kept apart."""
    roles = auth.ROLES if actor.role == "admin" else tuple(r for r in auth.ROLES if r not in auth.ADMIN_ROLES)
    return tuple(r for r in roles if not (r == "admin" and cfg.security.separate_admins))


def _may_manage(store: Store, actor: User, action: str, name: str) -> None:
    """An administrator's account (any of the three, or a combined one) is changed only from the
    server's command line or by a combined administrator: refused and audited otherwise."""
    role = auth.role_of(store, name)
    if role in auth.ADMIN_ROLES and actor.role != "admin" and actor.name != name:
        auth.record(store, actor.name, action, "refused", f"{name}: admin_roles_by_operator")
        raise AuthError("admin_roles_by_operator")


def add_user(
    store: Store, cfg: Config, actor: User, name: str, role: str, password: str, township: str | None = None
) -> User:
    _require(store, actor, "users", "user_add", name)
    if role in auth.ROLES and role not in creatable_roles(actor, cfg):
        code = "admin_combined" if role == "admin" else "admin_roles_by_operator"
        auth.record(store, actor.name, "user_add", "refused", f"{name}: {code}")
        raise AuthError(code)
    temporary = cfg.password.change_temporary  # an administrator chose it: the holder changes it at first sign-in
    return _account_change(
        store, actor, "user_add", name, auth.add_user, cfg, name, role, password, township, temporary=temporary
    )


def set_password(store: Store, actor: User, name: str, password: str, rule: PasswordRule | None = None) -> None:
    """An administrator's reset, or one's own change (any signed-in account), under the password rule."""
    if actor.name != name:
        _require(store, actor, "users", "user_passwd", name)
        _may_manage(store, actor, "user_passwd", name)
    rule = rule or PasswordRule()
    temporary = actor.name != name and rule.change_temporary  # a reset: the holder changes it at first sign-in
    _account_change(store, actor, "user_passwd", name, auth.set_password, name, password, rule, temporary=temporary)


def set_disabled(store: Store, actor: User, name: str, disabled: bool) -> None:
    action = "user_disable" if disabled else "user_enable"
    _require(store, actor, "users", action, name)
    _may_manage(store, actor, action, name)
    _account_change(store, actor, action, name, auth.set_disabled, name, disabled)


def split_admin(store: Store, cfg: Config, actor: User, name: str) -> list[tuple[str, str, str]]:
    """Turn a combined ``admin`` into the three (三员分立): it becomes the system administrator, and two
    new accounts ``<name>-security`` and ``<name>-audit`` are made with one-time passwords (changed at
    first sign-in), to be handed to two other people. Returns (account, role, password) of the new ones."""
    _require(store, actor, "users", "user_split", name)
    if actor.role != "admin":
        raise AuthError("admin_roles_by_operator")
    if auth.role_of(store, name) != "admin":
        auth.record(store, actor.name, "user_split", "refused", f"{name}: not_combined")
        raise AuthError("not_combined", name=name)
    made = []
    for suffix, role in (("security", "secadmin"), ("audit", "auditor")):
        password = auth.generated_password(cfg.password)
        account = f"{name}-{suffix}"
        _account_change(store, actor, "user_add", account, auth.add_user, cfg, account, role, password, temporary=True)
        made.append((account, role, password))
    _account_change(store, actor, "user_role", name, auth.set_role, name, "sysadmin")
    return made


def archive_audit(store: Store, cfg: Config, actor: User, folder: Path, before: date) -> auditarchive.Archived:
    """The audit administrator moves lines older than 180 days into a signed archive (audited: the
    line saying so is the first of the remaining chain). Where the three administrators are kept
    apart, only the audit administrator may; otherwise whoever reads the audit log."""
    _require(store, actor, "audit", "audit_archive", str(folder))
    if cfg.security.separate_admins and actor.role != "auditor":
        auth.record(store, actor.name, "audit_archive", "refused", f"{folder}: not_auditor")
        raise RefusedError("not_auditor")
    try:
        done = auth.archive_audit(store, folder, before, cfg.today())
    except auditarchive.ArchiveError as exc:
        auth.record(store, actor.name, "audit_archive", "refused", exc.code)
        raise
    auth.record(store, actor.name, "audit_archive", "ok", f"lines {done.first}-{done.last} -> {done.path}")
    return done


def reset_second_factor(store: Store, actor: User, name: str) -> bool:
    """A security administrator forgets an account's phone (lost): it enrols a new one at its next sign-in."""
    _require(store, actor, "security", "second_factor_reset", name)
    return auth.reset_second_factor(store, name, audit=(actor.name, "second_factor_reset"))


def unlock(store: Store, actor: User, name: str) -> bool:
    """A security administrator lifts a name's sign-in lock (audited); whether it was locked."""
    _require(store, actor, "security", "user_unlock", name)
    return bool(auth.unlock(store, name, audit=(actor.name, "user_unlock")))


def lift_address(store: Store, actor: User, address: str) -> bool:
    """A security administrator lifts this server's throttle on a client address (audited first:
    an action whose audit line cannot be written does not happen)."""
    _require(store, actor, "security", "address_lift", address)
    auth.record(store, actor.name, "address_lift", "ok", address[:64])
    return auth.ADDRESSES.lift(address)


def _account_change(
    store: Store, actor: User, action: str, name: str, change: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    """The change with its audit line in one transaction; a refusal (AuthError) audited and raised."""
    try:
        return change(store, *args, audit=(actor.name, action), **kwargs)
    except AuthError as exc:
        auth.record(store, actor.name, action, "refused", f"{name}: {exc.code}")
        raise


def exported_personal(store: Store, actor: User, title: str, reason: str) -> None:
    """A table holding a person's data leaves in a spreadsheet: with its reason, audited."""
    _require(store, actor, "export", "export_personal", title)
    auth.record(store, actor.name, "export_personal", "ok", f"{text.flat(title, 100)}: {text.flat(reason, 200)}")


def exported(store: Store, actor: User, fmt: str, detail: str) -> None:
    """An export of the meeting pack: allowed for this role, and recorded."""
    _require(store, actor, "export", "export", fmt)
    auth.record(store, actor.name, "export", "ok", f"{fmt}: {detail}")
