"""The self-check for the 等级保护 assessment (GB/T 22239-2019, 安全计算环境 of levels 2 and 3).

Each applicable requirement is judged from what this installation really has: its configuration,
its accounts, its audit chain and the files it ships; with the evidence an assessor asks for (a
setting, a test that proves the behaviour, a file). ``python -m reform compliance`` prints it; the
security administrator's page shows it. Requirements about the host (its operating system,
antivirus, trusted boot) are the host's own assessment and say so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from reform import auth, clock
from reform.config import Config, is_postgres
from reform.store import Store

ROOT = Path(__file__).resolve().parent.parent
PASS, FAIL, NA = "pass", "fail", "n/a"
UNUSED_DAYS = 90  # an enabled account unused this long is 多余或过期 (access control c)


@dataclass(frozen=True)
class Finding:
    """One requirement: its clause, the lowest level that asks for it, the verdict and its evidence.
    ``key`` names the requirement's words in ``reform.i18n`` (``compliance.<key>``)."""

    key: str
    clause: str
    level: int
    status: str
    evidence: tuple[str, ...]
    todo: str = ""  # an i18n key: what remains to configure or build, for a failed one


@dataclass(frozen=True)
class Facts:
    """What the checks read, gathered once."""

    cfg: Config
    admins_combined: tuple[str, ...]  # enabled accounts of the combined "admin" role
    unused: tuple[str, ...]  # enabled accounts not signed in for UNUSED_DAYS (nor made since)
    audit_ok: bool
    audit_lines: int
    audit_breaks: int
    tls_shipped: bool


def gather(cfg: Config, store: Store) -> Facts:
    store.init()
    accounts = auth.users(store)
    enabled = accounts[~accounts["disabled"].astype(bool)]
    now = clock.now()
    with store.connect() as con:
        last = dict(
            con.execute(
                "SELECT user_name, max(logged_at) FROM audit WHERE action = 'login' AND outcome = 'ok' GROUP BY 1"
            ).fetchall()
        )
    unused = [
        str(row.name)
        for row in enabled.itertuples()
        if max(filter(None, [last.get(row.name), row.created_at]), default=now) < now - timedelta(days=UNUSED_DAYS)
    ]
    verdict = auth.verify_audit(store)
    template = (ROOT / "deploy" / "nginx.conf.template").read_text(encoding="utf-8")
    tls = all(w in template for w in ("listen {tls_listen} ssl", "ssl_protocols TLSv1.2 TLSv1.3", "Strict-Transport"))
    return Facts(
        cfg,
        tuple(sorted(str(n) for n in enabled.loc[enabled["role"] == "admin", "name"])),
        tuple(sorted(unused)),
        verdict.ok,
        verdict.checked,
        len(verdict.breaks),
        tls,
    )


def _sec(cfg: Config, *keys: str) -> str:
    """Settings as evidence: ``security.key = value`` (a password rule's key under its config name)."""
    shown = []
    for key in keys:
        holder = cfg.security.password if key.startswith("password_") else cfg.security
        value = getattr(holder, key.removeprefix("password_"))
        shown.append(f"security.{key} = {list(value) if isinstance(value, tuple) else value}")
    return "; ".join(shown)


Rule = Callable[[Facts], tuple[str, tuple[str, ...], str]]  # facts -> (status, evidence, todo)


def _identity_a(f: Facts) -> tuple[str, tuple[str, ...], str]:
    rule = f.cfg.security.password
    ok = rule.min_length >= 8 and rule.classes >= 3 and 0 < rule.max_days <= 90 and rule.history >= 1
    return (
        PASS if ok else FAIL,
        (
            "users.name PRIMARY KEY (reform/store.py)",
            _sec(f.cfg, "password_min_length", "password_classes", "password_max_days", "password_history"),
            "tests/test_security.py::test_a_password_may_not_be_one_of_the_last_five",
            "tests/test_security.py::test_a_password_older_than_ninety_days_must_be_changed",
            "tests/test_auth.py::test_disabled_accounts_and_bad_accounts",
        ),
        "" if ok else "compliance.todo.password",
    )


def _identity_b(f: Facts) -> tuple[str, tuple[str, ...], str]:
    s = f.cfg.security
    ok = s.lock_failures <= 10 and s.lock_minutes >= 10 and s.idle_minutes <= 30 and s.max_hours <= 24
    return (
        PASS if ok else FAIL,
        (
            _sec(f.cfg, "lock_failures", "lock_minutes", "idle_minutes", "max_hours"),
            "tests/test_security.py::test_the_lock_follows_the_configuration",
            "tests/test_signin_abuse.py",
            "tests/e2e/test_sessions.py",
        ),
        "" if ok else "compliance.todo.sessions",
    )


def _tls(f: Facts) -> tuple[str, tuple[str, ...], str]:
    return (
        PASS if f.tls_shipped else FAIL,
        (
            "deploy/nginx.conf.template (TLS 1.2+, HSTS)",
            "make cluster: HTTPS with a certificate it makes (deploy/cluster.py)",
            "tests/e2e/test_guard.py::test_metrics_only_to_this_machine_and_the_cookie_secure_over_https",
            "tests/e2e/test_cluster.py",
        ),
        "" if f.tls_shipped else "compliance.todo.tls",
    )


def _second_factor(f: Facts) -> tuple[str, tuple[str, ...], str]:
    ok = set(f.cfg.security.second_factor) >= auth.ADMIN_ROLES
    evidence = (
        _sec(f.cfg, "second_factor"),
        "password (argon2) + one-time code (RFC 6238 TOTP, HMAC), the phone's key kept AES-GCM encrypted",
        "tests/test_second_factor.py",
    )
    return (PASS if ok else FAIL), evidence, "" if ok else "compliance.todo.second_factor"


def _separation(f: Facts) -> tuple[str, tuple[str, ...], str]:
    ok = f.cfg.security.separate_admins and not f.admins_combined
    evidence = [
        _sec(f.cfg, "separate_admins"),
        "reform/auth.py PERMISSIONS (sysadmin / secadmin / auditor)",
        "tests/test_security.py::test_the_three_administrators_cannot_do_each_others_work",
    ]
    if f.admins_combined:
        evidence.append("admin: " + ", ".join(f.admins_combined))
    return PASS if ok else FAIL, tuple(evidence), "" if ok else "compliance.todo.separation"


def _unused(f: Facts) -> tuple[str, tuple[str, ...], str]:
    evidence = [
        "python -m reform user disable NAME",
        "tests/test_auth.py::test_user_commands",
        f"{UNUSED_DAYS} days without a sign-in: " + (", ".join(f.unused) or "none"),
    ]
    return (PASS if not f.unused else FAIL), tuple(evidence), "" if not f.unused else "compliance.todo.unused"


def _audit_protected(f: Facts) -> tuple[str, tuple[str, ...], str]:
    return (
        PASS if f.audit_ok else FAIL,
        (
            f"python -m reform audit --verify: {f.audit_lines} lines, {f.audit_breaks} breaks",
            "reform/auditchain.py (HMAC-SM3 chain); kept 180 days, then only archived (reform/auditarchive.py)",
            "tests/test_audit_chain.py",
            "tests/test_audit_archive.py",
        ),
        "" if f.audit_ok else "compliance.todo.audit_broken",
    )


def _networks(f: Facts) -> tuple[str, tuple[str, ...], str]:
    ok = bool(f.cfg.security.admin_networks)
    return (
        PASS if ok else FAIL,
        (
            _sec(f.cfg, "admin_networks"),
            "tests/test_security.py::test_administrators_sign_in_only_from_the_listed_networks",
        ),
        "" if ok else "compliance.todo.networks",
    )


def _redundancy(f: Facts) -> tuple[str, tuple[str, ...], str]:
    ok = is_postgres(f.cfg.database)
    return (
        PASS if ok else FAIL,
        (
            f"storage: {'PostgreSQL' if ok else 'DuckDB file'}",
            "make cluster (README 省级部署)",
            "tests/e2e/test_cluster.py",
        ),
        "" if ok else "compliance.todo.redundancy",
    )


def _fixed(status: str, *evidence: str, todo: str = "") -> Rule:
    return lambda _f: (status, evidence, todo)


HOST = "compliance.host"  # evidence of a host requirement: the server's own assessment
RULES: tuple[tuple[str, str, int, Rule], ...] = (  # key, clause, lowest level, rule
    ("identity_a", "身份鉴别 a)", 2, _identity_a),
    ("identity_b", "身份鉴别 b)", 2, _identity_b),
    ("identity_c", "身份鉴别 c)", 2, _tls),
    ("identity_d", "身份鉴别 d)", 3, _second_factor),
    (
        "access_a",
        "访问控制 a)",
        2,
        _fixed(
            PASS,
            "reform/auth.py PERMISSIONS; ui.context.current(action) on every page",
            "tests/test_auth.py::test_role_page_matrix_through_the_navigation",
            "tests/test_auth.py::test_every_page_checks_the_role_again_when_run_directly",
        ),
    ),
    (
        "access_b",
        "访问控制 b)",
        2,
        _fixed(
            PASS,
            "no built-in account; without accounts only 127.0.0.1 is served",
            "tests/test_auth.py::test_local_mode_only_on_this_machine",
        ),
    ),
    ("access_c", "访问控制 c)", 2, _unused),
    ("access_d", "访问控制 d)", 2, _separation),
    (
        "access_e",
        "访问控制 e)–f)",
        3,
        _fixed(PASS, "roles × pages and actions; township × dataset for rows", "tests/test_audience.py"),
    ),
    ("access_g", "访问控制 g)", 3, _fixed(NA, "compliance.na.labels")),
    (
        "audit_a",
        "安全审计 a)–b)",
        2,
        _fixed(
            PASS,
            "audit: logged_at, user_name, action, outcome, detail (reform/store.py)",
            "tests/test_actions.py::test_cli_actions_are_audited_like_the_page",
        ),
    ),
    ("audit_c", "安全审计 c)", 2, _audit_protected),
    (
        "audit_d",
        "安全审计 d)",
        3,
        _fixed(
            PASS,
            "an action whose audit line cannot be written or sealed fails (reform/store.py insert_audit)",
            "tests/test_audit_chain.py::test_a_line_that_cannot_be_sealed_fails_its_action",
        ),
    ),
    ("intrusion_ab", "入侵防范 a)–b)、e)", 2, _fixed(NA, HOST)),
    ("intrusion_c", "入侵防范 c)", 2, _networks),
    (
        "intrusion_d",
        "入侵防范 d)",
        2,
        _fixed(PASS, "DATA-CONTRACT.md; reform/ingest", "tests/test_hostile_files.py", "tests/test_cells.py"),
    ),
    ("malware", "恶意代码防范、可信验证", 2, _fixed(NA, HOST)),
    ("integrity_a", "数据完整性 a)", 2, _tls),
    (
        "integrity_b",
        "数据完整性 b)",
        3,
        _fixed(PASS, "backups: signed manifest with checksums (reform/backup.py)", "tests/test_backup.py"),
    ),
    ("confidentiality_a", "数据保密性 a)", 3, _tls),
    (
        "confidentiality_b",
        "数据保密性 b)",
        3,
        _fixed(FAIL, "passwords: argon2 only (reform/auth.py)", todo="compliance.todo.encryption"),
    ),
    (
        "backup_a",
        "数据备份恢复 a)",
        2,
        _fixed(PASS, "python -m reform backup / restore --from", "tests/test_backup.py"),
    ),
    (
        "backup_b",
        "数据备份恢复 b)",
        2,
        _fixed(FAIL, "python -m reform backup --out DIR", todo="compliance.todo.offsite"),
    ),
    ("backup_c", "数据备份恢复 c)", 3, _redundancy),
    (
        "residual_a",
        "剩余信息保护 a)",
        2,
        _fixed(
            PASS,
            "passwords stored as argon2 hashes only",
            "tests/test_auth.py::test_no_clear_text_password_in_the_database_its_wal_or_the_logs",
        ),
    ),
    ("residual_b", "剩余信息保护 b)", 3, _fixed(NA, "compliance.na.residual")),
    (
        "personal",
        "个人信息保护 a)–b)",
        2,
        _fixed(PASS, "DATA-CONTRACT.md: the reports hold units' figures, no person's name, phone or ID number"),
    ),
)


def check(cfg: Config, store: Store, level: int = 2) -> list[Finding]:
    """Every requirement of ``level`` (2 or 3) judged on this installation."""
    if level not in (2, 3):
        raise ValueError("level must be 2 or 3")
    facts = gather(cfg, store)
    found = []
    for key, clause, lowest, rule in RULES:
        if lowest > level:
            continue
        status, evidence, todo = rule(facts)
        found.append(Finding(key, clause, lowest, status, tuple(evidence), todo))
    return found


def passed(findings: list[Finding]) -> bool:
    return all(f.status != FAIL for f in findings)
