"""Review before publishing: a township submits its slices, the district approves or returns them.

States of a slice (township × dataset × period, see ``reform.slices``), newest record wins:

    uploaded --submit--> submitted --approve--> approved --reopen(reason)--> reopened
                              \\--return(reason)--> returned --(upload again)--> uploaded --submit--> …

- *submit*: whoever may upload that township's rows, for the slices of an upload still current;
- *approve* / *return* (with a reason): a reviewer (district staff, admin), of a submitted slice;
- *reopen* (with a reason): a reviewer, of an approved slice — it takes uploads again, while
  leaders keep seeing the approved figures until the next approval.

Submitted and approved slices are locked in the store itself (no upload, restore or rollback
writes into them). Every step is one transaction with its audit line. With ``review.required``
off, uploads are published at once and none of this is used.
"""

from __future__ import annotations

import contextlib
import decimal
import math
from dataclasses import dataclass

import pandas as pd

from reform import auth, clock, slices
from reform.auth import User
from reform.config import Config
from reform.datasets import DATASETS
from reform.slices import LATEST, key_sql
from reform.store import Store, insert_audit, stored_columns

TRANSITIONS = {  # step -> (the states it may start from, the state it leaves, the permission it needs)
    "submit": (("uploaded", "returned", "reopened"), "submitted", "upload"),
    "approve": (("submitted",), "approved", "review"),
    "return": (("submitted",), "returned", "review"),
    "reopen": (("approved",), "reopened", "review"),
}
NEEDS_REASON = ("return", "reopen")


class ReviewError(ValueError):
    """A step that cannot be taken; ``code`` names it for the user's language (review.error.<code>)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def describe(exc: ReviewError, lang: str) -> str:
    """The error in the user's language: states and steps as words, a slice as its values."""

    from reform import i18n

    params = dict(exc.params)
    if "state" in params:
        state = str(params["state"])
        params["state"] = i18n.t(f"review.state.{state}", lang) if state in STATE_WORDS else state
    if "step" in params and str(params["step"]) in TRANSITIONS:
        params["step"] = i18n.t(f"review.step.{params['step']}", lang)
    if "slice" in params:
        with contextlib.suppress(ValueError):
            params["slice"] = slices.words(str(params["slice"]))
    return i18n.t(f"review.error.{exc.code}", lang, **params)


STATE_WORDS = ("uploaded", "submitted", "returned", "approved", "reopened")


@dataclass(frozen=True)
class Step:
    dataset: str
    slice: str  # the slice key, as reform.slices writes it
    step: str


def states(store: Store, dataset: str | None = None) -> pd.DataFrame:
    """Each slice under review: its latest state, batch, reason, who and when (newest first)."""
    store.init()
    with store.reader() as q:
        frame = q.df(f"SELECT * FROM ({LATEST}) ORDER BY decided_at DESC")
    return frame if dataset is None else frame[frame["dataset"] == dataset].reset_index(drop=True)


def queue(store: Store) -> pd.DataFrame:
    """What waits for a reviewer: submitted slices, oldest first."""
    found = states(store)
    return found[found["state"] == "submitted"].sort_values("decided_at").reset_index(drop=True)


def slice_units(dataset: str, key: str) -> set[str] | None:
    """The township a slice belongs to (None for a district-wide slice such as a year or a round)."""

    value = slices.values(key).get("township") if "township" in DATASETS[dataset].slice else None
    return {value} if value else None


def batch_slices(store: Store, batch_id: int) -> list[tuple[str, str]]:
    """(dataset, slice key) of an upload's rows still current."""
    with store.reader() as q:
        found = q.df("SELECT dataset FROM batches WHERE batch_id = ?", [batch_id])
        if found.empty:
            raise ReviewError("no_batch", batch=batch_id)
        dataset = DATASETS[str(found.at[0, "dataset"])]
        keys = q.df(
            f"SELECT DISTINCT {key_sql(dataset, 't')} AS slice FROM {dataset.name} t "
            "WHERE t.batch_id = ? AND t.replaced_by IS NULL ORDER BY 1",
            [batch_id],
        )
    return [(dataset.name, str(k)) for k in keys["slice"]]


def take(store: Store, cfg: Config, actor: User, steps: list[Step], reason: str = "") -> int:
    """Take review steps (one or many) as ``actor``: all or none, each with its audit line."""
    reason = reason.strip()
    for step in steps:
        if step.step not in TRANSITIONS:
            raise ReviewError("unknown_step", step=step.step)
        if step.step in NEEDS_REASON and not reason:
            raise ReviewError("needs_reason")
        _, _, permission = TRANSITIONS[step.step]
        if not auth.allowed(actor, permission):
            auth.record(store, actor.name, f"review_{step.step}", "refused", f"{step.dataset} {step.slice}")
            raise ReviewError("forbidden")
        mine = auth.write_units(actor, cfg, step.dataset)
        owner = slice_units(step.dataset, step.slice)
        if step.step == "submit" and mine is not None and (owner is None or not owner <= mine):
            raise ReviewError("not_yours", slice=step.slice)
    now = clock.now()
    with store.writing() as con:
        con.execute("BEGIN TRANSACTION")
        try:
            for step in steps:
                found = con.execute(
                    f"SELECT state, batch_id FROM ({LATEST}) WHERE dataset = ? AND slice = ?",
                    [step.dataset, step.slice],
                ).fetchall()
                starts, leaves, _ = TRANSITIONS[step.step]
                if not found or found[0][0] not in starts:
                    state = found[0][0] if found else "none"
                    raise ReviewError("wrong_state", step=step.step, state=state, slice=step.slice)
                con.execute(
                    """INSERT INTO reviews (dataset, slice, batch_id, state, reason, by_user, decided_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    [step.dataset, step.slice, found[0][1], leaves, reason, actor.name, now],
                )
                detail = f"{step.dataset} {step.slice} batch {found[0][1]}" + (f": {reason}" if reason else "")
                insert_audit(con, actor.name, f"review_{step.step}", "ok", detail, now)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return len(steps)


def effect(store: Store, cfg: Config, dataset: str, key: str, batch_id: int, lang: str) -> list[str]:
    """What approving one submitted slice would change for leaders: "专职团干部配备率 95.0% → 97.5%"
    for each KPI whose shown value changes (the dashboard's default years)."""
    from metrics import overview
    from reform import audience, i18n

    leaders = audience.decide(store, cfg, None).view  # approved figures, the leaders' default years
    with leaders.reading(store) as q:
        before = overview.kpis(q, cfg, leaders.scope)
    with leaders.reading(store, assume=[(dataset, key, batch_id)]) as q:
        after = {r.key: r for r in overview.kpis(q, cfg, leaders.scope)}
    return [
        f"{i18n.t(b.label, lang)} {b.display(lang)} → {after[b.key].display(lang)}"
        for b in before
        if b.key in after and b.display(lang) != after[b.key].display(lang)
    ]


def submit_batch(store: Store, cfg: Config, actor: User, batch_id: int) -> int:
    """Submit every slice of an upload that is still current and not yet submitted."""
    waiting = states(store)
    ready = {
        (d, k)
        for d, k, s, b in zip(waiting["dataset"], waiting["slice"], waiting["state"], waiting["batch_id"], strict=True)
        if s in TRANSITIONS["submit"][0] and b == batch_id
    }
    steps = [Step(d, k, "submit") for d, k in batch_slices(store, batch_id) if (d, k) in ready]
    if not steps:
        raise ReviewError("nothing_to_submit", batch=batch_id)
    return take(store, cfg, actor, steps)


@dataclass(frozen=True)
class Change:
    """One row of a submitted slice against the last approved version (what leaders see now)."""

    kind: str  # added | removed | changed
    key: tuple[tuple[str, object], ...]  # the row's key (column, value): Youth Home, post type, city …
    columns: tuple[tuple[str, object, object], ...] = ()  # (column, before, after) of a changed row


def changes(store: Store, dataset: str, key: str, batch_id: int) -> list[Change]:
    """The submitted rows of a slice against its published rows (approved, or before the first approval
    what was current when it entered review): rows added, removed and changed, column by column."""
    ds = DATASETS[dataset]
    names = [
        c for c, _ in stored_columns(ds) if c not in ds.key and c not in ("period_kind", "period_start", "period_end")
    ]
    on = " AND ".join(f"n.{c} IS NOT DISTINCT FROM o.{c}" for c in ds.key)
    pick = ", ".join(f"o.{c} AS before_{c}, n.{c} AS after_{c}" for c in names)
    keys = ", ".join(f"coalesce(n.{c}, o.{c}) AS key_{c}" for c in ds.key)
    with store.reader(published=True) as q:
        found = q.df(
            f"""WITH n AS (SELECT * FROM {ds.name} t WHERE t.batch_id = ? AND {key_sql(ds, "t")} = ?),
                     o AS (SELECT * FROM current_{ds.name} c WHERE {key_sql(ds, "c")} = ?)
                SELECT {keys}, n.source_row IS NULL AS gone, o.source_row IS NULL AS new, {pick}
                FROM n FULL OUTER JOIN o ON {on} ORDER BY n.source_row IS NULL, n.source_row, o.source_row""",
            [batch_id, key, key],
        )
    result = []
    shown_key = [c for c in ds.key if c not in ds.slice]  # the slice's own columns say nothing per row
    for row in found.to_dict("records"):
        label = tuple((c, row[f"key_{c}"]) for c in (shown_key or ds.key))
        if row["new"]:
            result.append(Change("added", label))
        elif row["gone"]:
            result.append(Change("removed", label))
        else:
            moved = tuple(
                (c, _plain(row[f"before_{c}"]), _plain(row[f"after_{c}"]))
                for c in names
                if _plain(row[f"before_{c}"]) != _plain(row[f"after_{c}"])
            )
            if moved:
                result.append(Change("changed", label, moved))
    return result


def _plain(value: object) -> object:
    """A stored value as compared and shown: empty cells alike, 250000.00 as 250000."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, (float, decimal.Decimal)) and float(value).is_integer():
        return int(value)
    return value.date() if isinstance(value, pd.Timestamp) else value


def explanations(store: Store, dataset: str, key: str, batch_id: int) -> pd.DataFrame:
    """What the uploader wrote for the soft check rules its rows in this slice break (rule, message,
    explanation, rows), for the reviewer."""
    ds = DATASETS[dataset]
    with store.reader() as q:
        return q.df(
            f"""SELECT e.rule, any_value(e.message) AS message, e.text,
                       string_agg(CAST(e.source_row AS VARCHAR), '、' ORDER BY e.source_row) AS rows
                FROM explanations e JOIN {ds.name} t ON t.batch_id = e.batch_id AND t.source_row = e.source_row
                WHERE e.batch_id = ? AND {key_sql(ds, "t")} = ?
                GROUP BY e.rule, e.text ORDER BY min(e.source_row)""",
            [batch_id, key],
        )
