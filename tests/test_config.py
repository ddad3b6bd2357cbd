"""config.yaml: it loads, every key is documented, and a wrong value names its key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from metrics import semantic
from reform import config as config_module
from reform.config import ConfigError

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config.yaml"


def test_shipped_config_loads_the_district(cfg) -> None:
    assert cfg.district_name == "姜堰区"
    assert len(cfg.townships) == 17
    assert "罗塘街道" in cfg.township_names and "华港镇" in cfg.township_names
    assert cfg.city_names == ("上海", "广州", "天津", "合肥", "重庆", "武汉", "长沙", "南京", "哈尔滨", "杭州")
    assert cfg.targets["funding_per_capita"].target == 3
    assert cfg.targets["units_inspected"].target == 320
    from metrics import all_kpis

    kpi = next(k for k in all_kpis() if k.target_key == "secretary_vacancies")  # the KPI declares its direction
    assert kpi.direction == "at_most"


def _key_paths(node: object, prefix: str = "") -> set[str]:
    """Every key path, with list items collapsed to []."""
    paths: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            paths |= {path} | _key_paths(value, path)
    elif isinstance(node, list):
        for item in node:
            paths |= _key_paths(item, f"{prefix}[]")
    return paths


def _commented_paths(text: str) -> set[str]:
    """Key paths whose block-style line carries a comment or follows a comment line."""
    stack: list[tuple[int, str]] = []
    commented: set[str] = set()
    previous = ""
    for line in text.splitlines():
        match = re.match(r"^(\s*)(- )?(\w+):", line)  # \w: a key may be Chinese (a rule's let: 人均经费)
        if match:
            indent = len(match.group(1)) + (2 if match.group(2) else 0)
            level = indent - 1 if match.group(2) else indent  # a new list item also ends the one before
            while stack and stack[-1][0] >= level:
                stack.pop()
            parent = stack[-1][1] if stack else ""
            if match.group(2):  # a list item: its keys live under parent[]
                parent += "[]"
                stack.append((indent - 1, parent))
            path = f"{parent}.{match.group(3)}" if parent else match.group(3)
            if "#" in line or previous.strip().startswith("#"):
                commented.add(path)
                flow = re.search(r":\s*\{(.*)\}", line)  # `name: {a: 1, b: 2}  # what name is`
                commented |= {f"{path}.{k}" for k in re.findall(r"(\w+):", flow.group(1))} if flow else set()
            stack.append((indent, path))
        previous = line
    return commented


def test_every_config_key_has_a_comment() -> None:
    text = CONFIG.read_text(encoding="utf-8")
    missing = _key_paths(yaml.safe_load(text)) - _commented_paths(text)
    assert not missing, f"config.yaml keys without a comment: {sorted(missing)}"


MUTATIONS = [
    (lambda d: d["security"].update(password_min_length=6), "security.password_min_length"),  # below level 2
    (lambda d: d["security"].update(password_classes=5), "security.password_classes"),
    (lambda d: d["security"].update(password_expiry=90), "security"),
    (lambda d: d["townships"][3].update(youth_population="many"), "townships[3].youth_population"),
    (lambda d: d["townships"][0].update(lat=123), "townships[0].lat"),
    (lambda d: d["townships"].append(dict(d["townships"][0])), "townships[17].name"),
    (lambda d: d["cities"][2].pop("lon"), "cities[2].lon"),
    (lambda d: d["targets"]["cadre_fill_rate"].update(amber=1.5), "targets.cadre_fill_rate.amber"),
    (lambda d: d["targets"]["secretary_vacancies"].update(amber=-1), "targets.secretary_vacancies.amber"),
    (lambda d: d["targets"].pop("units_inspected"), "targets.units_inspected"),
    (lambda d: d["targets"].update(bogus={"target": 1, "amber": 1}), "targets.bogus"),
    (lambda d: d["storage"].update(load_sample_when_empty="yes"), "storage.load_sample_when_empty"),
    (lambda d: d["upload"].update(max_file_mb=0), "upload.max_file_mb"),
    (lambda d: d["district"].update(name=""), "district.name"),
    (
        lambda d: d["reporting"]["datasets"]["staffing"].update(frequency="weekly"),
        "reporting.datasets.staffing.frequency",
    ),
    (lambda d: d["reporting"]["datasets"]["alumni"].update(by="townships"), "reporting.datasets.alumni.by"),
    (
        lambda d: d["reporting"]["datasets"].update(inspections={"frequency": "year", "by": "district", "due_days": 1}),
        "reporting.datasets.inspections",
    ),
]


@pytest.mark.parametrize(("mutate", "key"), MUTATIONS)
def test_a_wrong_value_stops_start_up_naming_the_key(tmp_path: Path, mutate, key: str) -> None:
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        semantic.load_checked(path)  # start-up: the file, then every declaration that depends on it
    assert key in str(info.value)


def test_invalid_yaml_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("district: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        config_module.load(path)


def test_database_path_is_overridden_by_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REFORM_DB", str(tmp_path / "elsewhere.duckdb"))
    assert config_module.load(CONFIG).database == tmp_path / "elsewhere.duckdb"
    monkeypatch.delenv("REFORM_DB")
    assert config_module.load(CONFIG).database == ROOT / "data" / "reform.duckdb"


def test_a_changed_file_is_read_again_and_no_document_is_shared(tmp_path: Path) -> None:
    """The read-ahead and the command load the same file one after the other (the YAML read once);
    an edit between two loads is seen."""
    path = tmp_path / "config.yaml"
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    first, second = config_module.load(path), config_module.load(path)
    assert first.district_name == second.district_name == data["district"]["name"]
    data["district"]["name"] = "另一个区"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert config_module.load(path).district_name == "另一个区"
    assert config_module.load(path).townships == first.townships
