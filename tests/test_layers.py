"""The layers of the house, enforced (issue 12): the core imports neither metrics, ui nor streamlit;
metrics imports neither ui nor streamlit; loading the configuration imports no pandas or plotly.

Each check imports in a fresh interpreter, so nothing another test imported can hide a dependency.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = [
    "reform.config",
    "reform.datasets",
    "reform.ingest",
    "reform.ingest.readers",
    "reform.ingest.validate",
    "reform.store",
    "reform.auth",
    "reform.actions",
    "reform.history",
    "reform.backup",
    "reform.i18n",
    "reform.text",
    "reform.limits",
    "reform.templates",
    "reform.sample",
]
METRICS = [f"metrics.{p.stem}" for p in sorted((ROOT / "metrics").glob("*.py")) if p.stem != "__init__"]


def imported_after(code: str) -> set[str]:
    """Top-level packages in sys.modules after running ``code`` in a new interpreter."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", CORE)
def test_the_core_imports_no_metrics_ui_or_streamlit(module: str) -> None:
    assert not imported_after(f"import {module}") & {"metrics", "ui", "streamlit", "plotly"}


def test_metrics_import_no_ui_or_streamlit() -> None:
    code = "\n".join(f"import {m}" for m in ["metrics", *METRICS])
    assert not imported_after(code) & {"ui", "streamlit"}


def test_loading_the_configuration_imports_no_pandas_or_plotly() -> None:
    found = imported_after("from reform import config\nconfig.load()")
    assert not found & {"pandas", "plotly", "metrics", "numpy", "duckdb"}
