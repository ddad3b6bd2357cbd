"""What a commit would change, and what the store has held: slices, versions, a batch's rows.

Read-only views over the store for the upload page (the preview before a
replacement), the history page and the command line.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reform.datasets import DATASETS, Dataset
from reform.ingest.report import Report
from reform.store import Store, register, stored_columns, to_stored

SLICE_SEPARATOR = " · "


def slice_label(values: dict[str, Any] | pd.Series, dataset: Dataset) -> str:
    """A slice as people name it: ``罗塘街道 · 2024-Q1``; ``第3轮`` for an inspection round."""
    return SLICE_SEPARATOR.join(str(values[c]) for c in dataset.slice)


def _value_columns(dataset: Dataset) -> list[str]:
    return [c for c, _ in stored_columns(dataset) if c not in dataset.key]


def preview(store: Store, report: Report) -> pd.DataFrame:
    """Per slice the file covers: rows now, rows in the file, and how many are added, removed, changed.

    One SQL statement, however many slices: within each slice, file rows and current rows are
    matched on the key; a matched row is changed when any stored value would differ (the file's
    values cast to the table's types first, so 25万 and 250000.00 are the same amount).
    """
    dataset = DATASETS[report.dataset or ""]
    types = dict(stored_columns(dataset))
    slices, key = list(dataset.slice), list(dataset.key)
    on = " AND ".join(f"i.{c} IS NOT DISTINCT FROM c.{c}" for c in dict.fromkeys(slices + key))
    differs = " OR ".join(f"i.{c} IS DISTINCT FROM c.{c}" for c in _value_columns(dataset)) or "false"
    typed = ", ".join(f"CAST({c} AS {sql}) AS {c}" for c, sql in types.items())
    label = " || ' · ' || ".join(f"CAST(coalesce(i.{c}, c.{c}) AS VARCHAR)" for c in slices)
    sql = f"""
        WITH i AS (SELECT source_row, {typed} FROM incoming),
             c AS (SELECT t.* FROM current_{dataset.name} t
                   WHERE ({", ".join(slices)}) IN (SELECT ({", ".join(slices)}) FROM i))
        SELECT {label} AS slice,
               count(c.source_row)::BIGINT AS rows_now,
               count(i.source_row)::BIGINT AS rows_new,
               count(*) FILTER (WHERE c.source_row IS NULL)::BIGINT AS added,
               count(*) FILTER (WHERE i.source_row IS NULL)::BIGINT AS removed,
               count(*) FILTER (WHERE i.source_row IS NOT NULL AND c.source_row IS NOT NULL AND ({differs}))::BIGINT
                   AS changed
        FROM i FULL OUTER JOIN c ON {on}
        GROUP BY ALL
        ORDER BY min(i.source_row)"""
    store.init()
    with store.connect() as con:
        register(con, "incoming", to_stored(report.frame, dataset))
        try:
            return con.execute(sql).df()
        finally:
            con.unregister("incoming")


Units = set[str] | frozenset[str] | None  # the reporting units a viewer may see; None: all


def _only(dataset: Dataset, units: Units) -> tuple[str, list[Any]]:
    """An SQL condition keeping the rows of ``units`` (nothing at all where the rows have no township)."""
    if units is None:
        return "true", []
    if "township" not in dataset.column_map:
        return "false", []
    return "list_contains(?, township)", [sorted(units)]


def batch_slices(store: Store, batch_id: int, units: Units = None) -> pd.DataFrame:
    """The slices a batch wrote (of ``units`` only), with its row count and how many are still current."""
    dataset = dataset_of(store, batch_id)
    cols = ", ".join(dataset.slice)
    only, params = _only(dataset, units)
    frame = store.query(
        f"SELECT {cols}, count(*) AS rows, count(*) FILTER (WHERE replaced_by IS NULL) AS current_rows "
        f"FROM {dataset.name} WHERE batch_id = ? AND {only} GROUP BY ALL ORDER BY ALL",
        [batch_id, *params],
    )
    frame.insert(0, "slice", [slice_label(r, dataset) for _, r in frame.iterrows()])
    return frame


def batch_rows(store: Store, batch_id: int, units: Units = None) -> pd.DataFrame:
    """Every row a batch stored (of ``units`` only), with the source row and the batch that replaced it."""
    dataset = dataset_of(store, batch_id)
    columns = ", ".join(c.name if c.kind != "period" else "period" for c in dataset.columns)
    only, params = _only(dataset, units)
    return store.query(
        f"SELECT source_row, {columns}, replaced_by FROM {dataset.name} WHERE batch_id = ? AND {only} "
        f"ORDER BY source_row",
        [batch_id, *params],
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


def dataset_of(store: Store, batch_id: int) -> Dataset:
    frame = store.query("SELECT dataset FROM batches WHERE batch_id = ?", [batch_id])
    if frame.empty:
        raise KeyError(f"no batch {batch_id}")
    return DATASETS[frame.at[0, "dataset"]]


def batches(store: Store, scope: dict[str, Units] | None = None) -> pd.DataFrame:
    """Every batch, newest first, with the slices it wrote (``罗塘街道 · 2024、三水街道 · 2024``).

    With ``scope`` (dataset -> units), a batch's slices and row counts are those units' only (a township
    clerk sees the sample's batch of 17 townships as their own township's rows); ``units`` always
    names every unit the batch touched (it decides who sees the batch at all).
    """
    frame = store.batches()
    labels: dict[int, str] = {}
    units: dict[int, tuple[str, ...]] = {}
    counts: dict[int, tuple[int, int]] = {}
    for dataset in DATASETS.values():
        parts = " || ' · ' || ".join(f"CAST({c} AS VARCHAR)" for c in dataset.slice)
        has_township = "township" in dataset.column_map
        township = "list(DISTINCT township) FILTER (WHERE township IS NOT NULL)" if has_township else "[]"
        only, params = _only(dataset, scope.get(dataset.name) if scope is not None else None)
        slices = store.query(
            f"SELECT batch_id, string_agg(DISTINCT {parts}, '、' ORDER BY {parts}) FILTER (WHERE {only}) AS slices, "
            f"{township} AS units, count(*) FILTER (WHERE {only}) AS mine, "
            f"count(*) FILTER (WHERE {only} AND replaced_by IS NULL) AS mine_current "
            f"FROM {dataset.name} GROUP BY batch_id",
            params * 3,
        )
        labels |= dict(zip(slices["batch_id"].astype(int), slices["slices"].fillna(""), strict=True))
        units |= {int(b): tuple(sorted(u)) for b, u in zip(slices["batch_id"], slices["units"], strict=True)}
        counts |= {
            int(b): (int(m), int(c))
            for b, m, c in zip(slices["batch_id"], slices["mine"], slices["mine_current"], strict=True)
        }
    frame["slices"] = frame["batch_id"].astype(int).map(labels).fillna("").map(summarise)
    frame["units"] = frame["batch_id"].astype(int).map(lambda b: units.get(b, ()))
    if scope is not None:
        frame["rows_stored"] = frame["batch_id"].astype(int).map(lambda b: counts.get(b, (0, 0))[0])
        frame["current_rows"] = frame["batch_id"].astype(int).map(lambda b: counts.get(b, (0, 0))[1])
    return frame


def summarise(labels: str, shown: int = 3) -> str:
    """``a、b、c、d、e`` -> ``a、b、c …（共 5 个）``: a batch of five years of 17 townships stays readable."""
    parts = [p for p in labels.split("、") if p]
    if len(parts) <= shown:
        return "、".join(parts)
    return "、".join(parts[:shown]) + f" …（共 {len(parts)} 个）"
