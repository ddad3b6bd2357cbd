"""Pre-filled templates: a unit's template for the next period, filled with its last published
period, so a clerk types only what changed.

"Published" is what leaders see: with review on, the last approved rows (``reform.slices``);
otherwise the current rows. The period (or year) column is moved on to the period asked for (the
next one, or an overdue one); the stock is copied as the clerk would type it (enumerations as their
Chinese labels, yes/no as 是/否) and the flows are left empty. The template's title says where the
values came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from reform.config import Config
from reform.datasets import DATASETS, Dataset
from reform.ingest.cells import Period, read_period
from reform.store import Store


@dataclass(frozen=True)
class Prefill:
    rows: pd.DataFrame  # the clerk's headers (Chinese), the next period's rows
    source: str  # the period copied (e.g. 2025-Q3)
    target: str  # the period it is filled for (e.g. 2025-Q4)


def next_period(label: str, steps: int = 1) -> str:
    """The period ``steps`` after ``label`` (2025 -> 2026, 2025-Q4 -> 2026-Q1, 2025-12 -> 2026-01);
    a negative ``steps`` goes back (2026-Q1 -> 2025-Q4)."""
    found = read_period(label)
    months = {"year": 12, "quarter": 3, "month": 1}[found.kind] * steps
    month = found.start.year * 12 + found.start.month - 1 + months
    return Period(date(month // 12, month % 12 + 1, 1), found.kind).label


def _shown(column_kind: str, value: object, column: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if column_kind == "enum":
        return column.choice_label(str(value))  # type: ignore[attr-defined]
    if column_kind == "bool":
        return "是" if bool(value) else "否"
    if column_kind == "amount":
        return float(value)  # type: ignore[arg-type]
    if column_kind == "date" and hasattr(value, "date"):
        return value.date()  # type: ignore[union-attr]
    return value


def prefill(store: Store, cfg: Config, dataset_name: str, unit: str, target: str | None = None) -> Prefill | None:
    """``unit``'s rows for the period ``target`` (default: the one after its last published period),
    filled from its last published period before it (None: nothing published before it). What carries
    over is the stock — posts, Youth Homes, members, schools —; a flow column (``Column.flow``:
    activities, money, admissions) is left empty, so a template sent back unchanged never reports last
    year's admissions or money as this year's."""
    dataset: Dataset = DATASETS[dataset_name]
    if dataset.grain not in ("period", "year"):
        return None  # rounds and dated events are not owed period by period
    time = "period" if dataset.grain == "period" else dataset.time_column
    owner = "township" if "township" in dataset.column_map else None
    where, params = (f"WHERE {owner} = ?", [unit]) if owner else ("", [])
    with store.reader(published=cfg.review_required) as q:
        rows = q.df(f"SELECT * FROM current_{dataset.name} {where}", params)
    start = "period_start" if dataset.grain == "period" else dataset.time_column
    if target is not None and not rows.empty:  # the last period before the one asked for
        first = read_period(target).start
        earlier = rows[start] < (pd.Timestamp(first) if dataset.grain == "period" else first.year)
        rows = rows[earlier]
    if rows.empty:
        return None
    last = rows[rows[start] == rows[start].max()]
    source = str(last[time].iloc[0])
    target = target or next_period(source)
    shown = {}
    for column in dataset.columns:
        if column.kind == "period" or column.name == dataset.time_column:
            shown[column.zh] = [int(target) if column.kind == "year" else target] * len(last)
        elif column.flow:
            shown[column.zh] = [None] * len(last)
        else:
            shown[column.zh] = [_shown(column.kind, v, column) for v in last[column.name]]
    return Prefill(pd.DataFrame(shown), source, target)
