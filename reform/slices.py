"""Slices under review, on one open connection: their keys, their lock, their published rows.

A slice is what one upload replaces (``Dataset.slice``: a township's period, a year, a round).
With review on (``review.required``), every upload records its slices as *uploaded*; a slice
*submitted* or *approved* is locked (no upload, restore or rollback writes into it until a
reviewer returns or reopens it); and leaders read the **published** rows: for a slice with a
review record, the rows of its latest approved upload, or before its first approval the rows
that were current when it entered review; for a slice without one, its current rows.

This module only speaks SQL on a connection the store opened (inside its transaction when it
writes); the workflow (who may submit, approve, return) is ``reform.review``.
"""

from __future__ import annotations

import json
from typing import Any

from reform.datasets import DATASETS, Dataset

LOCKED = ("submitted", "approved")
STATES = ("uploaded", "submitted", "returned", "approved", "reopened")


class LockedSliceError(ValueError):
    """A write into slices that are submitted or approved; ``slices``: (slice key, state)."""

    def __init__(self, slices: list[tuple[str, str]]) -> None:
        super().__init__(f"{len(slices)} slice(s) under review: " + "; ".join(f"{k} ({s})" for k, s in slices[:5]))
        self.slices = slices


def values(key: str) -> dict[str, Any]:
    """A slice key's values by column ({"township": "罗塘街道", "year": 2025})."""
    return json.loads(key)


def words(key: str, sep: str = " ") -> str:
    """A slice as a reader names it: 罗塘街道 2025."""
    return sep.join(str(v) for v in values(key).values())


def key_sql(dataset: Dataset, alias: str) -> str:
    """The slice key of a row as text, e.g. {"township":"甲镇","year":2025}: the same in every query."""
    parts = ", ".join(f"'{c}', {alias}.{c}" for c in dataset.slice)
    return f"CAST(json_object({parts}) AS VARCHAR)"


LATEST = """SELECT dataset, slice, arg_max(state, id) AS state, arg_max(batch_id, id) AS batch_id,
                   arg_max(reason, id) AS reason, arg_max(by_user, id) AS by_user, max(decided_at) AS decided_at
            FROM reviews GROUP BY dataset, slice"""


def incoming_slices(dataset: Dataset) -> str:
    """The slices the rows of ``incoming`` fall in (column ``slice``): their key columns made distinct
    first, so a million rows build a few hundred keys, not a million JSON texts (0.5 s a write)."""
    columns = ", ".join(dataset.slice)
    return f"SELECT DISTINCT {key_sql(dataset, 'i')} AS slice FROM (SELECT DISTINCT {columns} FROM incoming) i"


def check_unlocked(con: Any, dataset: Dataset, retire_batch: int | None) -> None:
    """Refuse (inside the writer's transaction) rows going into, or retired from, a locked slice: also a
    current row of another slice that an incoming row's key would retire (a Youth Home moved to another
    township: the locked slice would lose it, and leaders would count it twice)."""
    if not con.execute(  # nothing of this dataset was ever submitted or approved: nothing can be locked
        "SELECT count(*) FROM reviews WHERE dataset = ? AND list_contains(?, state)", [dataset.name, list(LOCKED)]
    ).fetchall()[0][0]:
        return
    touched = [incoming_slices(dataset)]
    if not set(dataset.slice) <= set(dataset.key):  # a key can move between slices
        same = " AND ".join(f"i.{c} IS NOT DISTINCT FROM t.{c}" for c in dataset.key)
        touched.append(
            f"SELECT DISTINCT {key_sql(dataset, 't')} FROM {dataset.name} t "
            f"WHERE t.replaced_by IS NULL AND EXISTS (SELECT 1 FROM incoming i WHERE {same})"
        )
    params: list[Any] = []
    if retire_batch is not None:  # a rollback takes a batch's rows out of their slices
        touched.append(
            f"SELECT DISTINCT {key_sql(dataset, 't')} FROM {dataset.name} t "
            "WHERE t.batch_id = ? AND t.replaced_by IS NULL"
        )
        params.append(retire_batch)
    locked = con.execute(
        f"""WITH latest AS ({LATEST}), touched AS ({" UNION ".join(touched)})
            SELECT l.slice, l.state FROM latest l JOIN touched USING (slice)
            WHERE l.dataset = ? AND list_contains(?, l.state) ORDER BY l.slice""",
        [*params, dataset.name, list(LOCKED)],
    ).fetchall()
    if locked:
        raise LockedSliceError([(str(k), str(s)) for k, s in locked])


def locked(con: Any, dataset: Dataset) -> list[tuple[str, str]]:
    """The locked slices the rows of ``incoming`` would write into or retire from (the dry run asks this,
    so that it gives the commit's verdict before the button): (slice key, state)."""
    try:
        check_unlocked(con, dataset, None)
    except LockedSliceError as exc:
        return exc.slices
    return []


def mark_uploaded(con: Any, dataset: Dataset, batch_id: int, user: str, now: Any, review: bool) -> None:
    """Record the slices this write changes as *uploaded*, inside its transaction: every slice of an
    upload under review (``review``), and any slice already under review (a restore, a rollback)."""
    con.execute(
        f"""INSERT INTO reviews (dataset, slice, batch_id, state, reason, by_user, decided_at)
            SELECT ?, s.slice, ?, 'uploaded', '', ?, ? FROM ({incoming_slices(dataset)}) s
            WHERE ? OR EXISTS (SELECT 1 FROM reviews v WHERE v.dataset = ? AND v.slice = s.slice)""",
        [dataset.name, batch_id, user, now, review, dataset.name],
    )


def publish(con: Any, db: str, frozen: bool = False, assume: list[tuple[str, str, int]] | None = None) -> None:
    """Temporary views ``current_<dataset>`` showing the published rows (see above); every metric
    then runs unchanged on what leaders may see. ``frozen``: on a meeting's frozen tables.
    ``assume``: (dataset, slice, batch) approvals to pretend, for "what approving would change"."""
    extra = assume or []
    con.execute("CREATE OR REPLACE TEMP TABLE assumed_approvals (dataset VARCHAR, slice VARCHAR, batch_id BIGINT)")
    if extra:
        con.executemany("INSERT INTO assumed_approvals VALUES (?, ?, ?)", [list(a) for a in extra])
    for name, dataset in DATASETS.items():
        table = f"temp.main.{name}" if frozen else f"{db}.{name}"
        con.execute(
            f"""CREATE OR REPLACE TEMP VIEW current_{name} AS
                WITH v AS (SELECT slice, batch_id, state FROM {db}.reviews WHERE dataset = '{name}'
                           UNION ALL SELECT slice, batch_id, 'approved' FROM assumed_approvals
                           WHERE dataset = '{name}'),
                     s AS (SELECT slice, max(batch_id) FILTER (WHERE state = 'approved') AS approved,
                                  min(batch_id) AS first
                           FROM v GROUP BY slice)
                SELECT r.* EXCLUDE (replaced_by) FROM {table} r LEFT JOIN s ON s.slice = {key_sql(dataset, "r")}
                WHERE (s.slice IS NULL AND r.replaced_by IS NULL)
                   OR (s.approved IS NOT NULL AND r.batch_id = s.approved)
                   OR (s.approved IS NULL AND r.batch_id < s.first
                       AND (r.replaced_by IS NULL OR r.replaced_by >= s.first))"""
        )


def pending(con: Any) -> int:
    """Slices whose latest upload is not yet approved (what a reviewer's view adds to leaders')."""
    return int(
        con.execute(
            f"SELECT count(*) FROM ({LATEST}) WHERE state IN ('uploaded', 'submitted', 'returned', 'reopened')"
        ).fetchall()[0][0]
    )
