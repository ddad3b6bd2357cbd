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

from reform.limits import Limits

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config.yaml"
DB_ENV = "REFORM_DB"
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
    database: Path
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

        return replace(self, database=Path(path).expanduser().resolve())


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
    return tuple(s.strip() for s in slides)


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{path}: must be true or false, got {value!r}")
    return value


LIMIT_KEYS = {  # upload.<key>: (Limits field, lowest, highest)
    "max_columns": ("max_columns", 10, 16_384),
    "max_cells": ("max_cells", 1_000, 500_000_000),
    "max_unzipped_mb": ("max_unzipped_mb", 1, 4_096),
    "reader_memory_mb": ("memory_mb", 256, 65_536),
    "reader_seconds": ("seconds", 1, 3_600),
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
    db_raw = os.environ.get(DB_ENV) or _text(_get(storage, "database", "storage"), "storage.database")
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
        database=(base / db_raw).resolve(),
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
    )


def load(path: str | Path | None = None) -> Config:
    """Read config.yaml (or ``REFORM_CONFIG``) and check it."""
    source = Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG).resolve()
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {source}: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source.name} is not valid YAML: {exc}") from exc
    try:
        return parse(data, source)
    except ConfigError as exc:
        raise ConfigError(f"{source.name}: {exc}") from None
