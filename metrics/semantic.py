"""The semantic layer, checked: every declared dataset, area and KPI against the configuration
and the strings, each problem with its place (as dbt's semantic manifest validation does).

Run at start-up (the dashboard and the command line stop on any problem, listing all of them)
and in a test, so a KPI without a label, a target key with a typo or a slide that names no
figure is found before a leader sees an "info" card instead of a status.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from metrics import AREA_KPIS, AREA_MODULES, AREAS, all_kpis, slide_names
from metrics.base import DIRECTIONS, UNITS
from reform import i18n
from reform.config import Config, ConfigError
from reform.config import load as load_config
from reform.datasets import problems as dataset_problems


@dataclass(frozen=True)
class Issue:
    """One problem of the declarations: where (a KPI, a config key, a dataset) and what."""

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


def _kpi_issues(cfg: Config) -> list[Issue]:
    issues: list[Issue] = []
    seen: set[str] = set()
    for kpi in all_kpis():
        place = f"kpi {kpi.key}"
        if kpi.key in seen:
            issues.append(Issue(place, "declared twice"))
        seen.add(kpi.key)
        if kpi.unit not in UNITS:
            issues.append(Issue(place, f"unknown unit {kpi.unit!r} (known: {', '.join(UNITS)})"))
        if kpi.direction not in DIRECTIONS:
            issues.append(Issue(place, f"direction must be one of {', '.join(DIRECTIONS)}"))
        if kpi.area not in AREAS:
            issues.append(Issue(place, f"unknown area {kpi.area!r} (known: {', '.join(AREAS)})"))
        if kpi.label_key not in i18n.MESSAGES:
            issues.append(Issue(place, f"no label: add {kpi.label_key!r} to reform/i18n.py in both languages"))
        if kpi.target_key is None:
            continue
        target = cfg.targets.get(kpi.target_key)
        if target is None:
            issues.append(Issue(f"config targets.{kpi.target_key}", f"missing: KPI {kpi.key} is held to it"))
            continue
        wrong_side = target.amber > target.target if kpi.direction == "at_least" else target.amber < target.target
        if wrong_side:
            side = "above" if kpi.direction == "at_least" else "below"
            issues.append(
                Issue(
                    f"config targets.{kpi.target_key}.amber",
                    f"must not be {side} the target ({target.target:g}) for {kpi.key}, got {target.amber:g}",
                )
            )
    return issues


def _config_issues(cfg: Config) -> list[Issue]:
    used = {k.target_key for k in all_kpis() if k.target_key}
    issues = [
        Issue(f"config targets.{key}", f"no KPI uses this target (known: {', '.join(sorted(used))})")
        for key in cfg.targets
        if key not in used
    ]
    known = slide_names()
    issues += [
        Issue(f"config meeting.slides[{i}]", f"unknown slide {name!r} (known: {', '.join(known)})")
        for i, name in enumerate(cfg.slides)
        if name not in known
    ]
    return issues


def _area_issues() -> list[Issue]:
    issues: list[Issue] = []
    placed = [m for modules in AREA_KPIS.values() for m in modules]
    for name, module in AREA_MODULES.items():
        if placed.count(name) != 1:
            issues.append(Issue(f"area module {name}", "must belong to exactly one shortage in AREA_KPIS"))
        for part in ("KPIS", "FIGURES", "PAGE", "tables", "figures"):
            if not hasattr(module, part):
                issues.append(Issue(f"area module {name}", f"declares no {part}"))
        if f"page.{name}" not in i18n.MESSAGES:
            issues.append(Issue(f"area module {name}", f"no page title: add 'page.{name}' to reform/i18n.py"))
    for area in AREAS:
        if f"area.{area}" not in i18n.MESSAGES:
            issues.append(Issue(f"area {area}", f"no label: add 'area.{area}' to reform/i18n.py"))
    return issues


def problems(cfg: Config) -> list[Issue]:
    """Every problem of the declarations, with its place; empty when the semantic layer is sound."""
    found = [Issue(place, message) for place, message in dataset_problems()]
    return found + _area_issues() + _kpi_issues(cfg) + _config_issues(cfg)


def check(cfg: Config) -> Config:
    """Start-up: the configuration, or ConfigError listing every problem."""
    issues = problems(cfg)
    if issues:
        raise ConfigError("; ".join(str(i) for i in issues))
    return cfg


def load_checked(path: str | Path | None = None) -> Config:
    """Load ``config.yaml`` and check it against every declaration (what start-up does)."""
    return check(load_config(path))
