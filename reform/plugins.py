"""Extensions: modules named in ``REFORM_PLUGINS`` (comma-separated), imported once at start-up.

An extension declares what the product should also know, through the same registries the
product's own declarations use: ``reform.datasets.register`` (a dataset: its table, templates,
uploads, completeness), ``metrics.register_kpi`` (a KPI on an area's page, slides, summaries,
the CLI), ``reform.ingest.readers.READERS`` (a file format) and ``reform.i18n.MESSAGES`` (its
words in both languages). The semantic validator checks them like the product's own.
"""

from __future__ import annotations

import importlib
import os

PLUGINS_ENV = "REFORM_PLUGINS"
_loaded: set[str] = set()


def load() -> list[str]:
    """Import every module ``REFORM_PLUGINS`` names (each once per process); their names."""
    names = [n.strip() for n in os.environ.get(PLUGINS_ENV, "").split(",") if n.strip()]
    for name in names:
        if name not in _loaded:
            importlib.import_module(name)
            _loaded.add(name)
    return names
