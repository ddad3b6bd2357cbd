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


Evidence = str | tuple[str, dict[str, object]]  # a file, setting or test; or words (an i18n key, its values)


def words(evidence: Evidence, lang: str) -> str:
    """Evidence as a reader reads it: words in the reader's language, names of files and tests as they are."""
    from reform import i18n

    if isinstance(evidence, tuple):
        return i18n.t(evidence[0], lang, **evidence[1])
    return i18n.t(evidence, lang) if evidence.startswith("compliance.") else evidence


@dataclass(frozen=True)
class Finding:
    """One requirement: its clause, the lowest level that asks for it, the verdict and its evidence.
    ``key`` names the requirement's words in ``reform.i18n`` (``compliance.<key>``)."""

    key: str
    clause: str
    level: int
    status: str
    evidence: tuple[Evidence, ...]
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


Rule = Callable[[Facts], tuple[str, tuple[Evidence, ...], str]]  # facts -> (status, evidence, todo)


def _identity_a(f: Facts) -> tuple[str, tuple[Evidence, ...], str]:
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


def _identity_b(f: Facts) -> tuple[str, tuple[Evidence, ...], str]:
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


def _tls(f: Facts) -> tuple[str, tuple[Evidence, ...], str]:
    return (
        PASS if f.tls_shipped else FAIL,
        (
            "deploy/nginx.conf.template (TLS 1.2+, HSTS)",
            "compliance.ev.cluster_https",
            "tests/e2e/test_guard.py::test_metrics_only_to_this_machine_and_the_cookie_secure_over_https",
            "tests/e2e/test_cluster.py",
        ),
        "" if f.tls_shipped else "compliance.todo.tls",
    )


def _second_factor(f: Facts) -> tuple[str, tuple[Evidence, ...], str]:
    ok = set(f.cfg.security.second_factor) >= auth.ADMIN_ROLES
    evidence = (
        _sec(f.cfg, "second_factor"),
        "compliance.ev.two_factors",
        "tests/test_second_factor.py",
    )
    return (PASS if ok else FAIL), evidence, "" if ok else "compliance.todo.second_factor"


def _separation(f: Facts) -> tuple[str, tuple[Evidence, ...], str]:
    ok = f.cfg.security.separate_admins and not f.admins_combined
    evidence = [
        _sec(f.cfg, "separate_admins"),
        "reform/auth.py PERMISSIONS (sysadmin / secadmin / auditor)",
        "tests/test_security.py::test_the_three_administrators_cannot_do_each_others_work",
    ]
    if f.admins_combined:
        evidence.append(("compliance.ev.combined", {"names": "、".join(f.admins_combined)}))
    return PASS if ok else FAIL, tuple(evidence), "" if ok else "compliance.todo.separation"


def _unused(f: Facts) -> tuple[str, tuple[Evidence, ...], str]:
    evidence = [
        "python -m reform user disable NAME",
        "tests/test_auth.py::test_user_commands",
        ("compliance.ev.unused", {"days": UNUSED_DAYS, "names": "、".join(f.unused) or "—"}),
    ]
    return (PASS if not f.unused else FAIL), tuple(evidence), "" if not f.unused else "compliance.todo.unused"


def _audit_protected(f: Facts) -> tuple[str, tuple[Evidence, ...], str]:
    return (
        PASS if f.audit_ok else FAIL,
        (
            ("compliance.ev.verified", {"lines": f.audit_lines, "breaks": f.audit_breaks}),
            "compliance.ev.chain",
            "tests/test_audit_chain.py",
            "tests/test_audit_archive.py",
        ),
        "" if f.audit_ok else "compliance.todo.audit_broken",
    )


def _networks(f: Facts) -> tuple[str, tuple[Evidence, ...], str]:
    ok = bool(f.cfg.security.admin_networks)
    return (
        PASS if ok else FAIL,
        (
            _sec(f.cfg, "admin_networks"),
            "tests/test_security.py::test_administrators_sign_in_only_from_the_listed_networks",
        ),
        "" if ok else "compliance.todo.networks",
    )


def _redundancy(f: Facts) -> tuple[str, tuple[Evidence, ...], str]:
    ok = is_postgres(f.cfg.database)
    return (
        PASS if ok else FAIL,
        (
            "compliance.ev.postgres" if ok else "compliance.ev.duckdb",
            "make cluster",
            "tests/e2e/test_cluster.py",
        ),
        "" if ok else "compliance.todo.redundancy",
    )


def _fixed(status: str, *evidence: Evidence, todo: str = "") -> Rule:
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
            "compliance.ev.no_default",
            "tests/test_auth.py::test_local_mode_only_on_this_machine",
        ),
    ),
    ("access_c", "访问控制 c)", 2, _unused),
    ("access_d", "访问控制 d)", 2, _separation),
    (
        "access_e",
        "访问控制 e)–f)",
        3,
        _fixed(PASS, "compliance.ev.granularity", "tests/test_audience.py"),
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
            "compliance.ev.audit_first",
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
        _fixed(PASS, "compliance.ev.backup_signed", "tests/test_backup.py"),
    ),
    ("confidentiality_a", "数据保密性 a)", 3, _tls),
    (
        "confidentiality_b",
        "数据保密性 b)",
        3,
        _fixed(FAIL, "compliance.ev.argon2", todo="compliance.todo.encryption"),
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
            "compliance.ev.argon2",
            "tests/test_auth.py::test_no_clear_text_password_in_the_database_its_wal_or_the_logs",
        ),
    ),
    ("residual_b", "剩余信息保护 b)", 3, _fixed(NA, "compliance.na.residual")),
    ("personal", "个人信息保护 a)–b)", 2, lambda f: _personal()),
)
BUILT_IN = ("staffing", "venues", "alumni", "funding", "inspections", "members")  # DATA-CONTRACT.md's reports


def _personal() -> tuple[str, tuple[Evidence, ...], str]:
    """The contract's reports hold units' figures, no person's data; a report an extension declares names
    its personal columns, masked for readers without need and exported only with an audited reason."""
    from reform import personal
    from reform.datasets import DATASETS

    added = sorted(set(DATASETS) - set(BUILT_IN))
    declared = personal.columns()
    evidence: list[Evidence] = ["compliance.ev.no_personal", "reform/personal.py", "tests/test_personal.py"]
    if added:
        evidence.append(("compliance.ev.extensions", {"names": "、".join(added)}))
        shown = "、".join(f"{c} ({k})" for c, k in declared.items()) or "—"
        evidence.append(("compliance.ev.declared", {"names": shown}))
    return PASS, tuple(evidence), ""


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
