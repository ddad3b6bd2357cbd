"""Load and check ``config.yaml`` into frozen dataclasses.

The file is edited by hand by district staff, so every value is checked at
start-up and a wrong one stops the program with a message that names the key
(``townships[3].youth_population``) rather than failing later in a chart.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from reform.limits import ACCOUNT_ROLES, Limits, PasswordRule, Security

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config.yaml"
DB_ENV = "REFORM_DB"
# libyaml's safe loader when PyYAML has it: a province's configuration (1,200 townships) reads in
# 0.09 s instead of 0.9 s, at the start of every command.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CONFIG_ENV = "REFORM_CONFIG"


class ConfigError(ValueError):
    """A wrong value in config.yaml; the message names the key."""


@dataclass(frozen=True)
class Place:
    """A township or a city: a name and where it is."""

    name: str
    lat: float
    lon: float
    youth_population: int | None = None


@dataclass(frozen=True)
class Target:
    """A monitoring target and its amber threshold (RAG); the KPI that uses it declares its direction."""

    key: str
    target: float
    amber: float
    per_township: int | None = None


@dataclass(frozen=True)
class Duty:
    """A report that is owed: which dataset, how often, by whom, and how long after the period it is due."""

    dataset: str
    frequency: str  # year | quarter | month
    by: str  # townships | district
    due_days: int
    complete_share: float = 0.8  # a period counts as reported once this share of reporters has (or it is due)


CHANNEL_TYPES = ("wecom", "dingtalk", "email")


@dataclass(frozen=True)
class Channel:
    """Where messages go (``notify.channels.<name>``); its secrets come from the environment."""

    name: str
    type: str  # wecom | dingtalk | email
    per_minute: int = 20  # sends allowed in ``window_seconds`` (企业微信 and 钉钉 robots: 20 a minute)
    window_seconds: float = 60.0
    host: str = ""  # e-mail: SMTP server (STARTTLS on ``port``)
    port: int = 587
    user: str = ""
    sender: str = ""
    to: tuple[str, ...] = ()
    ca_file: str = ""  # e-mail: a private CA's certificate, when the server's is not publicly trusted


@dataclass(frozen=True)
class Notify:
    """``notify``: which channel gets which message, and when."""

    channels: dict[str, Channel] = field(default_factory=dict)
    townships_channel: str = ""  # 催报 to townships (one group robot of the township clerks)
    township_channels: dict[str, str] = field(default_factory=dict)  # a township with its own channel
    leaders_channel: str = ""  # KPI turned red, weekly digest
    remind_days_before: int = 3  # 催报 this many days before a report is due (0: only once overdue)
    digest_weekday: int = 1  # ISO weekday of the weekly digest (1 = Monday; 0 = none)
    templates: dict[str, str] = field(default_factory=dict)  # message texts replacing the built-in ones
    retries: int = 3  # attempts per send before it is recorded as failed (tried again next run)
    backoff_seconds: float = 2.0  # wait before the 2nd attempt; doubled each time

    def channel_of(self, township: str) -> str:
        return self.township_channels.get(township, self.townships_channel)


@dataclass(frozen=True)
class Config:
    """The whole checked configuration."""

    district_name: str
    committee: str
    district_lat: float
    district_lon: float
    townships: tuple[Place, ...]
    cities: tuple[Place, ...]
    targets: dict[str, Target]
    reporting_first_year: int
    duties: tuple[Duty, ...]
    meeting_title: str
    slides: tuple[str, ...]
    database: Path | str  # a DuckDB file, or a postgresql:// URL (reform.pgstore)
    sample_dir: Path
    load_sample_when_empty: bool
    max_file_mb: int
    source: Path
    limits: Limits = field(default_factory=Limits)
    timezone: str = "Asia/Shanghai"
    period_lead_days: int = 0
    month_weights: tuple[float, ...] | None = None  # 时间进度 by month (None: linear)
    palette: dict[str, str] = field(default_factory=dict)  # category -> colour, over the charts' defaults
    screen_seconds: int = 20  # 数据大屏: seconds each slide stays up
    screen_poll_seconds: int = 30  # 数据大屏: how often it asks whether new data has landed
    notify: Notify = field(default_factory=Notify)  # reminders and alerts (python -m reform notify)
    review_required: bool = False  # figures reach leaders only once a reviewer approves them (reform.review)
    review_allow_self_approval: bool = False  # a district with one reviewer: may approve what they uploaded
    security: Security = field(default_factory=Security)  # security: passwords, locks, sessions, admin networks
    checks: tuple[Any, ...] = ()  # the district's check rules (reform.checks.Check), run on every dry run

    @property
    def password(self) -> PasswordRule:
        """What a password must be (``security.password_*``)."""
        return self.security.password

    def today(self) -> date:
        """Today where the district is: what is overdue, what is still in the future."""
        from reform import clock

        return clock.today(self.timezone)

    @cached_property
    def township_names(self) -> tuple[str, ...]:
        """Computed once: cell readers and metrics ask for it per value and per query."""
        return tuple(t.name for t in self.townships)

    @cached_property
    def city_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.cities)

    @cached_property
    def _populations(self) -> dict[str, int | None]:
        return {t.name: t.youth_population for t in self.townships}

    def youth_population(self, township: str) -> int | None:
        """The configured young people of a township (a dictionary look-up: metrics ask per township)."""
        return self._populations.get(township)

    def with_database(self, path: str | Path) -> Config:
        """The same configuration on another database file (``--db``)."""
        from dataclasses import replace

        return replace(self, database=_database(str(path), Path.cwd()))


def _channel(name: str, data: Any) -> Channel:
    path = f"notify.channels.{name}"
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping (type: wecom | dingtalk | email, …)")
    kind = data.get("type")
    if kind not in CHANNEL_TYPES:
        raise ConfigError(f"{path}.type: must be one of {', '.join(CHANNEL_TYPES)}, got {kind!r}")
    unknown = set(data) - {"type", "per_minute", "window_seconds", "host", "port", "user", "sender", "to", "ca_file"}
    if unknown:
        raise ConfigError(f"{path}.{sorted(unknown)[0]}: unknown key (secrets go in the environment, see README)")
    per_minute = int(_number(data.get("per_minute", 20), f"{path}.per_minute", low=1, high=10_000))
    window = _number(data.get("window_seconds", 60), f"{path}.window_seconds", low=0.1, high=3_600)
    if kind != "email":
        return Channel(name, kind, per_minute, window)
    to = data.get("to")
    if not isinstance(to, list) or not to or not all(isinstance(a, str) and "@" in a for a in to):
        raise ConfigError(f"{path}.to: must be a list of e-mail addresses")
    return Channel(
        name,
        kind,
        per_minute,
        window,
        host=_text(data.get("host"), f"{path}.host"),
        port=int(_number(data.get("port", 587), f"{path}.port", low=1, high=65_535)),
        user=str(data.get("user") or ""),
        sender=_text(data.get("sender"), f"{path}.sender"),
        to=tuple(to),
        ca_file=str(data.get("ca_file") or ""),
    )


def _notify(data: Any, townships: tuple[Place, ...]) -> Notify:
    """``notify`` (optional: no section, no notifications)."""
    if data is None:
        return Notify()
    if not isinstance(data, dict):
        raise ConfigError("notify: must be a mapping of keys")
    raw = data.get("channels") or {}
    if not isinstance(raw, dict):
        raise ConfigError("notify.channels: must be a mapping of channel names")
    channels = {str(n): _channel(str(n), v) for n, v in raw.items()}
    names = {t.name for t in townships}

    def known(value: Any, path: str) -> str:
        if value in (None, ""):
            return ""
        if value not in channels:
            raise ConfigError(f"{path}: no channel {value!r} in notify.channels")
        return str(value)

    own = data.get("township_channels") or {}
    if not isinstance(own, dict):
        raise ConfigError("notify.township_channels: must be a mapping of township -> channel")
    for township in own:
        if township not in names:
            raise ConfigError(f"notify.township_channels.{township}: not a configured township")
    return Notify(
        channels=channels,
        townships_channel=known(data.get("townships_channel"), "notify.townships_channel"),
        township_channels={t: known(c, f"notify.township_channels.{t}") for t, c in own.items()},
        leaders_channel=known(data.get("leaders_channel"), "notify.leaders_channel"),
        remind_days_before=int(_number(data.get("remind_days_before", 3), "notify.remind_days_before", low=0, high=60)),
        digest_weekday=int(_number(data.get("digest_weekday", 1), "notify.digest_weekday", low=0, high=7)),
        retries=int(_number(data.get("retries", 3), "notify.retries", low=1, high=10)),
        backoff_seconds=_number(data.get("backoff_seconds", 2), "notify.backoff_seconds", low=0, high=600),
        templates=_templates(data.get("templates")),
    )


TEMPLATES = {  # notify.templates: the messages a district may word its own way, and their {fields}
    "remind_overdue_subject": {"township", "district"},
    "remind_overdue_line": {"dataset", "period", "due", "days"},
    "remind_before_subject": {"township", "district"},
    "remind_before_line": {"dataset", "period", "due", "days"},
    "remind_tail": {"committee"},
    "returned_subject": {"township", "district"},
    "returned_text": {"dataset", "period", "reason"},
    "red_subject": {"kpi", "district"},
    "red_text": {"kpi", "value", "target"},
    "digest_subject": {"district", "date"},
    "digest_tail": {"version"},
}


def _templates(value: Any) -> dict[str, str]:
    """``notify.templates``: known names only, each text using only its own {fields}."""
    import string

    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError("notify.templates: must be a mapping of message name -> text")
    for name, text in value.items():
        if name not in TEMPLATES:
            raise ConfigError(f"notify.templates.{name}: unknown message (known: {', '.join(TEMPLATES)})")
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(f"notify.templates.{name}: must be a text")
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        except ValueError as exc:
            raise ConfigError(f"notify.templates.{name}: {exc}") from None
        if not fields <= TEMPLATES[name]:
            wrong = sorted(fields - TEMPLATES[name])[0]
            raise ConfigError(f"notify.templates.{name}: unknown field {{{wrong}}} (known: {sorted(TEMPLATES[name])})")
    return {str(k): v for k, v in value.items()}


_WHOLE = {  # security.<key>: (where it goes, lowest, highest)
    "password_min_length": ("password.min_length", 8, 128),
    "password_classes": ("password.classes", 1, 4),
    "password_history": ("password.history", 0, 24),
    "password_max_days": ("password.max_days", 0, 3650),
    "lock_failures": ("lock_failures", 1, 100),
    "lock_minutes": ("lock_minutes", 1, 1440),
    "idle_minutes": ("idle_minutes", 1, 1440),
    "max_hours": ("max_hours", 1, 168),
}


def _security(data: Any) -> Security:
    """``security``: passwords, locks, sessions and where administrators come from (every key optional)."""
    if data is None:
        return Security()
    known = {*_WHOLE, "password_change_temporary", "admin_networks", "separate_admins", "second_factor"}
    if not isinstance(data, dict) or set(data) - known:
        wrong = sorted(set(data) - known)[0] if isinstance(data, dict) else None
        raise ConfigError(
            (f"security.{wrong}: unknown key; " if wrong else "security: ")
            + f"must be a mapping of {', '.join(sorted(known))}"
        )
    password: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for key, (name, low, high) in _WHOLE.items():
        if key in data:
            number = _number(data[key], f"security.{key}", low=low, high=high)
            if number != int(number) or isinstance(data[key], bool):
                raise ConfigError(f"security.{key}: must be a whole number, got {data[key]!r}")
            (password if name.startswith("password.") else values)[name.removeprefix("password.")] = int(number)
    for key, target, name in (
        ("password_change_temporary", password, "change_temporary"),
        ("separate_admins", values, "separate_admins"),
    ):
        if key in data:
            if not isinstance(data[key], bool):
                raise ConfigError(f"security.{key}: must be true or false")
            target[name] = data[key]
    lists = {"admin_networks": _networks, "second_factor": lambda v: _roles(v, "security.second_factor")}
    values.update({key: read(data[key]) for key, read in lists.items() if key in data})
    return Security(password=PasswordRule(**password), **values)


def _roles(value: Any, path: str) -> tuple[str, ...]:
    """A list of account roles (leader, township, district, admin, sysadmin, secadmin, auditor)."""
    if value is None:
        return ()
    if not isinstance(value, list) or any(v not in ACCOUNT_ROLES for v in value):
        raise ConfigError(f"{path}: must be a list of roles from {', '.join(ACCOUNT_ROLES)}")
    return tuple(dict.fromkeys(value))


def _networks(value: Any) -> tuple[str, ...]:
    """``security.admin_networks``: a list of networks in CIDR notation (10.0.0.0/8, 192.168.1.20/32)."""
    import ipaddress

    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError("security.admin_networks: must be a list of networks such as 10.0.0.0/8")
    found = []
    for index, text in enumerate(value):
        try:
            found.append(str(ipaddress.ip_network(text.strip(), strict=False)))
        except ValueError:
            raise ConfigError(
                f"security.admin_networks[{index}]: {text!r} is not a network (write it as 10.0.0.0/8 or 192.168.1.20)"
            ) from None
    return tuple(found)


def _review(data: Any) -> tuple[bool, bool]:
    """``review.required`` and ``review.allow_self_approval`` (both optional, default false)."""
    if data is None:
        return False, False
    if not isinstance(data, dict) or set(data) - {"required", "allow_self_approval"}:
        raise ConfigError("review: must be a mapping of required: true | false and allow_self_approval: true | false")
    return (
        _bool(data.get("required", False), "review.required"),
        _bool(data.get("allow_self_approval", False), "review.allow_self_approval"),
    )


CHECK_KEYS = {"name", "dataset", "level", "check", "when", "let", "message", "message_en"}


def _checks(data: Any) -> tuple[Any, ...]:
    """``checks``: the district's own rules, each read now so that a typo stops the start, not an upload."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ConfigError("checks: must be a list of rules (- name: …, dataset: …, level: …, check: …)")
    found: list[Any] = []
    for index, item in enumerate(data):
        found.append(_check(index, item, {c.name for c in found}))
    return tuple(found)


def _check(index: int, item: Any, taken: set[str]) -> Any:
    """One rule of ``checks`` (reform.checks.Check), its language read by reform.rules."""
    from reform import rules
    from reform.datasets import DATASETS

    path = f"checks[{index}]"
    if not isinstance(item, dict):
        raise ConfigError(f"{path}: must be a mapping (name, dataset, level, check, message)")
    unknown = set(item) - CHECK_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(CHECK_KEYS))})")
    name = _text(_get(item, "name", path), f"{path}.name")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,63}", name) or name in taken:
        raise ConfigError(f"{path}.name: a new name of letters, digits and _ (it names the rule), got {name!r}")
    path = f"checks[{index}] ({name})"
    dataset = _text(_get(item, "dataset", path), f"{path}.dataset")
    if dataset not in DATASETS:
        raise ConfigError(f"{path}.dataset: unknown dataset {dataset!r} (known: {', '.join(DATASETS)})")
    if _get(item, "level", path) not in rules.LEVELS:
        raise ConfigError(f"{path}.level: must be hard (blocks the upload) or soft (needs an explanation)")
    lets = item.get("let") or {}
    if not isinstance(lets, dict) or not all(isinstance(v, str) for v in lets.values()):
        raise ConfigError(f"{path}.let: must be a mapping of name -> expression")
    message = _text(_get(item, "message", path), f"{path}.message")
    messages = (message, _text(item.get("message_en", message), f"{path}.message_en"))
    when = None if item.get("when") is None else _text(item["when"], f"{path}.when")
    check = _text(_get(item, "check", path), f"{path}.check")
    try:
        return rules.build(name, dataset, item["level"], check, when, lets, messages)
    except rules.RuleError as exc:
        raise ConfigError(f"{path}: {exc}") from None


PG_PREFIXES = ("postgresql://", "postgres://")


def is_postgres(target: object) -> bool:
    """Whether a database target is a PostgreSQL URL (else a DuckDB file): the one place that decides."""
    return str(target).startswith(PG_PREFIXES)


def _database(value: str, base: Path) -> Path | str:
    """A PostgreSQL URL as it is; a DuckDB file relative to ``base``."""
    if is_postgres(value):
        return value
    return (base / Path(value).expanduser()).resolve()


def _get(data: Any, key: str, path: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping of keys")
    if key not in data:
        raise ConfigError(f"{path}.{key}: missing".lstrip("."))
    return data[key]


def _number(value: Any, path: str, *, low: float | None = None, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{path}: must be a number, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(f"{path}: must be between {low} and {high}, got {value!r}")
    return float(value)


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: must be a non-empty text, got {value!r}")
    return value.strip()


def _place(item: Any, path: str, *, population: bool) -> Place:
    pop = None
    if population:
        raw = _get(item, "youth_population", path)
        if isinstance(raw, bool) or not isinstance(raw, int) or raw <= 0:
            raise ConfigError(f"{path}.youth_population: must be a positive whole number, got {raw!r}")
        pop = raw
    return Place(
        name=_text(_get(item, "name", path), f"{path}.name"),
        lat=_number(_get(item, "lat", path), f"{path}.lat", low=-90, high=90),
        lon=_number(_get(item, "lon", path), f"{path}.lon", low=-180, high=180),
        youth_population=pop,
    )


def _places(items: Any, path: str, *, population: bool) -> tuple[Place, ...]:
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{path}: must be a non-empty list")
    places = tuple(_place(it, f"{path}[{i}]", population=population) for i, it in enumerate(items))
    seen: set[str] = set()
    for i, p in enumerate(places):
        if p.name in seen:
            raise ConfigError(f"{path}[{i}].name: {p.name!r} appears twice")
        seen.add(p.name)
    return places


def _targets(data: Any) -> dict[str, Target]:
    """Every target as written; which KPI uses it, and in which direction, is checked by the semantic
    validator (``metrics.semantic``) at start-up, since the KPIs declare it."""
    if not isinstance(data, dict) or not data:
        raise ConfigError("targets: must be a mapping of target names")
    targets: dict[str, Target] = {}
    for key, item in data.items():
        path = f"targets.{key}"
        target = _number(_get(item, "target", path), f"{path}.target", low=0)
        amber = _number(_get(item, "amber", path), f"{path}.amber", low=0)
        per = item.get("per_township")
        if per is not None:
            per = int(_number(per, f"{path}.per_township", low=1))
        targets[str(key)] = Target(str(key), target, amber, per)
    return targets


FREQUENCIES = ("year", "quarter", "month")


def _duty(name: str, item: Any, path: str) -> Duty:
    from reform.datasets import DATASETS, periodic_datasets

    owed = periodic_datasets()
    if name not in owed:
        raise ConfigError(f"{path}: {name!r} cannot be owed periodically (choose from {', '.join(owed)})")
    frequency = _get(item, "frequency", path)
    if frequency not in FREQUENCIES:
        raise ConfigError(f"{path}.frequency: must be one of {', '.join(FREQUENCIES)}, got {frequency!r}")
    by = _get(item, "by", path)
    if by not in ("townships", "district"):
        raise ConfigError(f"{path}.by: must be townships or district, got {by!r}")
    if "township" not in DATASETS[name].column_map and by != "district":
        raise ConfigError(f"{path}.by: {name} rows have no township, so only the district can owe them")
    due = _number(_get(item, "due_days", path), f"{path}.due_days", low=0, high=366)
    share = _number(item.get("complete_share", 0.8), f"{path}.complete_share", low=0.01, high=1)
    return Duty(name, frequency, by, int(due), share)


def _reporting(data: Any) -> tuple[int, tuple[Duty, ...]]:
    first = _number(_get(data, "first_year", "reporting"), "reporting.first_year", low=2000, high=2100)
    duties = _get(data, "datasets", "reporting")
    if not isinstance(duties, dict):
        raise ConfigError("reporting.datasets: must be a mapping of dataset names")
    return int(first), tuple(_duty(n, v, f"reporting.datasets.{n}") for n, v in duties.items())


def _slides(data: Any) -> tuple[str, ...]:
    """Slide names as written; that each names something the metrics can draw is checked by the
    semantic validator (loading the configuration imports no metrics, pandas or plotly)."""
    slides = _get(data, "slides", "meeting")
    if not isinstance(slides, list) or not slides:
        raise ConfigError("meeting.slides: must be a non-empty list")
    for i, name in enumerate(slides):
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"meeting.slides[{i}]: must be a slide name, got {name!r}")
    return tuple(RENAMED_SLIDES.get(s.strip(), s.strip()) for s in slides)


RENAMED_SLIDES = {  # slide names of earlier versions, still accepted in a district's config.yaml
    "chart:alumni.map": "chart:alumni.cities",  # the China map gave way to the cities' bars (README "Maps")
}


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{path}: must be true or false, got {value!r}")
    return value


LIMIT_KEYS = {  # upload.<key>: (Limits field, lowest, highest)
    "max_columns": ("max_columns", 10, 16_384),
    "max_cells": ("max_cells", 1_000, 500_000_000),
    "max_workbook_cells": ("max_workbook_cells", 1_000, 500_000_000),
    "max_unzipped_mb": ("max_unzipped_mb", 1, 4_096),
    "reader_memory_mb": ("memory_mb", 256, 65_536),
    "reader_seconds": ("seconds", 1, 3_600),
    "readers_at_once": ("readers", 1, 64),
    "reader_wait_seconds": ("wait_seconds", 0, 3_600),
}


def _limits(upload: dict[str, Any]) -> Limits:
    """The optional limits of ``upload``; a key left out keeps its default."""
    values = {}
    for key, (name, low, high) in LIMIT_KEYS.items():
        if key in upload:
            number = _number(upload[key], f"upload.{key}", low=low, high=high)
            if number != int(number):
                raise ConfigError(f"upload.{key}: must be a whole number, got {upload[key]!r}")
            values[name] = int(number)
    unknown = set(upload) - set(LIMIT_KEYS) - {"max_file_mb"}
    if unknown:
        raise ConfigError(f"upload.{sorted(unknown)[0]}: unknown key (known: max_file_mb, {', '.join(LIMIT_KEYS)})")
    return Limits(**values)


def _timezone(value: Any) -> str:
    from reform import clock

    name = _text(value, "timezone")
    try:
        clock.zone(name)
    except ValueError:
        raise ConfigError(f"timezone: unknown time zone {name!r} (e.g. Asia/Shanghai)") from None
    return name


def _lead(reporting: Any) -> int:
    """Days before a period starts that it may already be reported (0: not before it starts)."""
    value = reporting.get("period_lead_days", 0) if isinstance(reporting, dict) else 0
    return int(_number(value, "reporting.period_lead_days", low=0, high=366))


def _weights(reporting: Any) -> tuple[float, ...] | None:
    """``reporting.month_weights``: twelve non-negative numbers (a seasonal calendar for 时间进度)."""
    value = reporting.get("month_weights") if isinstance(reporting, dict) else None
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 12:
        raise ConfigError("reporting.month_weights: must be a list of 12 numbers, one per month")
    weights = tuple(_number(w, f"reporting.month_weights[{i}]", low=0) for i, w in enumerate(value))
    if not sum(weights):
        raise ConfigError("reporting.month_weights: must not all be 0")
    return weights


_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


def _palette(value: Any) -> dict[str, str]:
    """``palette``: category code -> ``#RRGGBB``; a category left out keeps the product's colour."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError("palette: must be a mapping of category -> colour such as '#C8102E'")
    for key, colour in value.items():
        if not isinstance(colour, str) or not _COLOUR.fullmatch(colour):
            raise ConfigError(f"palette.{key}: must be a colour written #RRGGBB, got {colour!r}")
    return {str(k): v for k, v in value.items()}


def _screen(meeting: Any, key: str, default: int, low: int) -> int:
    value = meeting.get(key, default) if isinstance(meeting, dict) else default
    number = _number(value, f"meeting.{key}", low=low, high=86_400)
    if number != int(number):
        raise ConfigError(f"meeting.{key}: must be a whole number of seconds, got {value!r}")
    return int(number)


def parse(data: Any, source: Path) -> Config:
    """Check a parsed YAML document and build the configuration."""
    if not isinstance(data, dict):
        raise ConfigError("the file must be a mapping of keys (district, townships, …)")
    district = _get(data, "district", "")
    storage = _get(data, "storage", "")
    upload = _get(data, "upload", "")
    base = source.parent
    url = storage.get("url") if isinstance(storage, dict) else None
    if url is not None and not is_postgres(url):
        raise ConfigError(f"storage.url: a postgresql://user@host:port/database URL, got {url!r}")
    db_raw = os.environ.get(DB_ENV) or url or _text(_get(storage, "database", "storage"), "storage.database")
    max_mb = _number(_get(upload, "max_file_mb", "upload"), "upload.max_file_mb", low=1, high=1000)
    first_year, duties = _reporting(_get(data, "reporting", ""))
    meeting = _get(data, "meeting", "")
    return Config(
        district_name=_text(_get(district, "name", "district"), "district.name"),
        committee=_text(_get(district, "committee", "district"), "district.committee"),
        district_lat=_number(_get(district, "lat", "district"), "district.lat", low=-90, high=90),
        district_lon=_number(_get(district, "lon", "district"), "district.lon", low=-180, high=180),
        townships=_places(_get(data, "townships", ""), "townships", population=True),
        cities=_places(_get(data, "cities", ""), "cities", population=False),
        targets=_targets(_get(data, "targets", "")),
        reporting_first_year=first_year,
        duties=duties,
        meeting_title=_text(_get(meeting, "title", "meeting"), "meeting.title"),
        slides=_slides(meeting),
        database=_database(db_raw, base),
        sample_dir=(base / _text(_get(storage, "sample_dir", "storage"), "storage.sample_dir")).resolve(),
        load_sample_when_empty=_bool(
            _get(storage, "load_sample_when_empty", "storage"), "storage.load_sample_when_empty"
        ),
        max_file_mb=int(max_mb),
        source=source,
        limits=_limits(upload),
        timezone=_timezone(data.get("timezone", "Asia/Shanghai")),
        period_lead_days=_lead(_get(data, "reporting", "")),
        month_weights=_weights(_get(data, "reporting", "")),
        palette=_palette(data.get("palette")),
        screen_seconds=_screen(meeting, "screen_seconds", 20, 1),
        screen_poll_seconds=_screen(meeting, "screen_poll_seconds", 30, 1),
        review_required=_review(data.get("review"))[0],
        review_allow_self_approval=_review(data.get("review"))[1],
        security=_security(data.get("security")),
        checks=_checks(data.get("checks")),
        notify=_notify(data.get("notify"), _places(_get(data, "townships", ""), "townships", population=True)),
    )


_read_once: dict[str, tuple[str, Any]] = {}  # path -> (its text, the YAML read from it), for the next load


def _document(source: Path, text: str) -> Any:
    """The YAML of ``text``. The command line's read-ahead loads the configuration while the command
    starts and the command loads it again (a province file of 1,200 townships: 0.07 s each); the
    document is kept for the next load of the same text, which takes it (never shared further)."""
    kept = _read_once.pop(str(source), None)
    if kept is not None and kept[0] == text:
        return kept[1]
    data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (libyaml's when present)
    _read_once[str(source)] = (text, data)
    return data


def load(path: str | Path | None = None) -> Config:
    """Read config.yaml (or ``REFORM_CONFIG``) and check it."""
    source = Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG).resolve()
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {source}: {exc.strerror}") from exc
    try:
        data = _document(source, text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source.name} is not valid YAML: {exc}") from exc
    try:
        return parse(data, source)
    except ConfigError as exc:
        raise ConfigError(f"{source.name}: {exc}") from None
