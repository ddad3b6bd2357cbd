"""What a commit would change, and what the store has held: slices, versions, a batch's rows.

Read-only views over the store for the upload page (the preview before a
replacement), the history page and the command line.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reform.datasets import DATASETS, Dataset
from reform.ingest.report import Report
from reform.store import Store, stored_columns, to_stored

SLICE_SEPARATOR = " · "


def slice_label(values: dict[str, Any] | pd.Series, dataset: Dataset) -> str:
    """A slice as people name it: ``罗塘街道 · 2024-Q1``; ``第3轮`` for an inspection round."""
    return SLICE_SEPARATOR.join(str(values[c]) for c in dataset.slice)


def _value_columns(dataset: Dataset) -> list[str]:
    return [c for c, _ in stored_columns(dataset) if c not in dataset.key]


def _comparable(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Values as text so that a stored DECIMAL and an incoming float compare equal."""
    out = frame[columns].copy()
    for column in columns:
        out[column] = out[column].map(
            lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA else _text(v)
        )
    return out


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    try:
        number = float(value)
        return str(int(number)) if number.is_integer() else f"{number:.2f}"
    except (TypeError, ValueError):
        return str(value)[:10] if hasattr(value, "isoformat") else str(value)


def preview(store: Store, report: Report) -> pd.DataFrame:
    """Per slice the file covers: rows now, rows in the file, and how many are added, removed, changed."""
    dataset = DATASETS[report.dataset or ""]
    incoming = to_stored(report.frame, dataset)
    slices = incoming[list(dataset.slice)].drop_duplicates()
    store.init()
    with store.connect() as con:
        con.register("slices", slices)
        current = con.execute(
            f"SELECT t.* FROM current_{dataset.name} t JOIN slices s USING ({', '.join(dataset.slice)})"
        ).df()
        con.unregister("slices")
    key, values = list(dataset.key), _value_columns(dataset)
    rows = []
    for _, values_of_slice in slices.iterrows():
        mask_new = (incoming[list(dataset.slice)].astype(str) == values_of_slice.astype(str).values).all(axis=1)
        mask_now = (current[list(dataset.slice)].astype(str) == values_of_slice.astype(str).values).all(axis=1)
        new = _comparable(incoming[mask_new], key + values).set_index(key)
        now = _comparable(current[mask_now], key + values).set_index(key)
        both = new.index.intersection(now.index)
        changed = int((new.loc[both, values] != now.loc[both, values]).any(axis=1).sum()) if len(both) else 0
        rows.append(
            {
                "slice": slice_label(values_of_slice, dataset),
                "rows_now": len(now),
                "rows_new": len(new),
                "added": len(new.index.difference(now.index)),
                "removed": len(now.index.difference(new.index)),
                "changed": changed,
            }
        )
    return pd.DataFrame(rows, columns=["slice", "rows_now", "rows_new", "added", "removed", "changed"])


def batch_slices(store: Store, batch_id: int) -> pd.DataFrame:
    """The slices a batch wrote, with its row count and how many of them are still current."""
    dataset = _dataset_of(store, batch_id)
    cols = ", ".join(dataset.slice)
    frame = store.query(
        f"SELECT {cols}, count(*) AS rows, count(*) FILTER (WHERE replaced_by IS NULL) AS current_rows "
        f"FROM {dataset.name} WHERE batch_id = ? GROUP BY ALL ORDER BY ALL",
        [batch_id],
    )
    frame.insert(0, "slice", [slice_label(r, dataset) for _, r in frame.iterrows()])
    return frame


def batch_rows(store: Store, batch_id: int) -> pd.DataFrame:
    """Every row a batch stored, with the source row and the batch that replaced it (if any)."""
    dataset = _dataset_of(store, batch_id)
    columns = ", ".join(c.name if c.kind != "period" else "period" for c in dataset.columns)
    return store.query(
        f"SELECT source_row, {columns}, replaced_by FROM {dataset.name} WHERE batch_id = ? ORDER BY source_row",
        [batch_id],
    )


def slice_versions(store: Store, dataset_name: str, values: dict[str, Any]) -> pd.DataFrame:
    """Every batch that held rows of one slice, newest first, and whether its rows are current."""
    dataset = DATASETS[dataset_name]
    where = " AND ".join(f"CAST(t.{c} AS VARCHAR) = ?" for c in dataset.slice)
    return store.query(
        f"SELECT b.batch_id, b.kind, b.file_name, b.uploaded_by, b.uploaded_at, count(*) AS rows, "
        f"bool_and(t.replaced_by IS NULL) AS is_current FROM {dataset.name} t JOIN batches b USING (batch_id) "
        f"WHERE {where} GROUP BY ALL ORDER BY b.batch_id DESC",
        [str(values[c]) for c in dataset.slice],
    )


def _dataset_of(store: Store, batch_id: int) -> Dataset:
    frame = store.query("SELECT dataset FROM batches WHERE batch_id = ?", [batch_id])
    if frame.empty:
        raise KeyError(f"no batch {batch_id}")
    return DATASETS[frame.at[0, "dataset"]]


def batches(store: Store) -> pd.DataFrame:
    """Every batch, newest first, with the slices it wrote (``罗塘街道 · 2024、三水街道 · 2024``)."""
    frame = store.batches()
    labels: dict[int, str] = {}
    units: dict[int, tuple[str, ...]] = {}
    for dataset in DATASETS.values():
        parts = " || ' · ' || ".join(f"CAST({c} AS VARCHAR)" for c in dataset.slice)
        township = (
            "list(DISTINCT township) FILTER (WHERE township IS NOT NULL)" if "township" in dataset.column_map else "[]"
        )
        slices = store.query(
            f"SELECT batch_id, string_agg(DISTINCT {parts}, '、' ORDER BY {parts}) AS slices, {township} AS units "
            f"FROM {dataset.name} GROUP BY batch_id"
        )
        labels |= dict(zip(slices["batch_id"].astype(int), slices["slices"], strict=True))
        units |= {int(b): tuple(sorted(u)) for b, u in zip(slices["batch_id"], slices["units"], strict=True)}
    frame["slices"] = frame["batch_id"].astype(int).map(labels).fillna("").map(summarise)
    frame["units"] = frame["batch_id"].astype(int).map(lambda b: units.get(b, ()))
    return frame


def summarise(labels: str, shown: int = 3) -> str:
    """``a、b、c、d、e`` -> ``a、b、c …（共 5 个）``: a batch of five years of 17 townships stays readable."""
    parts = [p for p in labels.split("、") if p]
    if len(parts) <= shown:
        return "、".join(parts)
    return "、".join(parts[:shown]) + f" …（共 {len(parts)} 个）"
