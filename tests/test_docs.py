"""Documentation that must not drift: the data contract, UI strings, the README's two commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reform import i18n
from reform.datasets import DATASETS

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT.parent / "shared" / "DATA-CONTRACT.md"
SOURCES = [
    *ROOT.glob("*.py"),
    *ROOT.glob("app_pages/*.py"),
    *ROOT.glob("ui/*.py"),
    *ROOT.glob("metrics/*.py"),
    *ROOT.glob("reform/**/*.py"),
]


def test_every_dataset_column_is_documented_in_code() -> None:
    for dataset in DATASETS.values():
        assert dataset.doc, dataset.name
        for column in dataset.columns:
            assert column.doc and column.zh and column.en, f"{dataset.name}.{column.name}"


@pytest.mark.skipif(not CONTRACT.exists(), reason="../shared/DATA-CONTRACT.md is not beside this checkout")
def test_every_dataset_column_matches_the_data_contract() -> None:
    text = CONTRACT.read_text(encoding="utf-8")
    for dataset in DATASETS.values():
        section = text.split(f"### {dataset.name} {dataset.zh}")[1].split("###")[0]
        rows = re.findall(r"^\| (\S+) \| (\w+) \|", section, re.M)
        documented = [(zh, code) for zh, code in rows if zh != "中文列名"]
        assert documented == [(c.zh, c.name) for c in dataset.columns], dataset.name
        for column in dataset.columns:
            for code, label in column.choices:
                assert f"{label} `{code}`" in section, f"{dataset.name}.{column.name}: {code}"


def test_every_ui_string_has_both_languages() -> None:
    for key, (zh, en) in i18n.MESSAGES.items():
        assert zh.strip() and en.strip(), key
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key


def test_every_string_key_used_in_code_exists() -> None:
    used: set[str] = set()
    for path in SOURCES:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""", path.read_text(encoding="utf-8")))
    missing = {k for k in used if k not in i18n.MESSAGES}
    assert not missing, sorted(missing)


def test_readme_gives_the_two_commands_in_both_languages() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text
    assert "快速开始" in text and "Quick start" in text
