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
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from reform import auth, clock, slices, text
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
REASON_CHARS = 500  # the longest reason kept for a return or reopening (one paragraph)


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


def unit_states(store: Store, unit: str) -> pd.DataFrame:
    """The review state of every slice of one township (newest first): what a clerk has sent, what waits,
    what came back with which reason and from whom, what is approved."""
    found = states(store)
    mine = pd.Series(
        [slice_units(d, k) == {unit} for d, k in zip(found["dataset"], found["slice"], strict=True)],
        index=found.index,
        dtype=bool,
    )
    return found[mine].reset_index(drop=True)


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


def _may(store: Store, cfg: Config, actor: User, step: Step, reason: str) -> None:
    """The checks a step passes before its transaction: known, with its reason, the actor's role, and a
    township's own slices only for a clerk's submission."""
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


def take(store: Store, cfg: Config, actor: User, steps: list[Step], reason: str = "") -> int:
    """Take review steps (one or many) as ``actor``: all or none, each with its audit line."""
    reason = text.flat(reason, REASON_CHARS)  # one paragraph, no control characters (it leaves in messages)
    for step in steps:
        _may(store, cfg, actor, step, reason)
    try:
        return _steps(store, cfg, actor, steps, reason)
    except ReviewError as exc:
        if exc.code == "own_slice":  # recorded once the writer's lock is released (the step rolled back)
            auth.record(store, actor.name, f"review_{exc.params['step']}", "refused", f"own: {exc.params['slice']}")
        raise


def _steps(store: Store, cfg: Config, actor: User, steps: list[Step], reason: str) -> int:
    """The steps in one transaction with their audit lines: all or none."""
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
                own = _own_step(con, cfg, actor, step, found[0][1])
                con.execute(
                    """INSERT INTO reviews (dataset, slice, batch_id, state, reason, by_user, decided_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    [step.dataset, step.slice, found[0][1], leaves, reason, actor.name, now],
                )
                detail = f"{step.dataset} {step.slice} batch {found[0][1]}" + (f": {reason}" if reason else "")
                detail += "; own upload or submission, allowed by review.allow_self_approval" if own else ""
                insert_audit(con, actor.name, f"review_{step.step}", "ok", detail, now)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return len(steps)


def _own_step(con: Any, cfg: Config, actor: User, step: Step, batch_id: int | None) -> bool:
    """Separation of duties: nobody approves or returns a slice they uploaded or submitted, unless the
    district allows it (``review.allow_self_approval``, for a district with one reviewer). True when the
    step is the actor's own and allowed (the audit line then says so)."""
    if step.step not in ("approve", "return"):
        return False
    people = con.execute(
        """SELECT (SELECT uploaded_by FROM batches WHERE batch_id = ?),
                  (SELECT by_user FROM reviews WHERE dataset = ? AND slice = ? AND state = 'submitted'
                   ORDER BY id DESC LIMIT 1)""",
        [batch_id, step.dataset, step.slice],
    ).fetchall()[0]
    if actor.name not in people:
        return False
    if not cfg.review_allow_self_approval:
        raise ReviewError("own_slice", step=step.step, slice=step.slice)
    return True


def effect(store: Store, cfg: Config, dataset: str, key: str, batch_id: int, lang: str) -> list[str]:
    """What approving one submitted slice would change for leaders: "专职团干部配备率 95.0% → 97.5%"
    for each KPI whose shown value changes (the dashboard's default years)."""
    from metrics import overview
    from reform import audience, i18n

    leaders = audience.decide(store, cfg, None).view  # approved figures, the leaders' default years
    with leaders.reading(store) as q:
        before = overview.kpis(q, cfg, leaders.scope)
    with leaders.reading(store, assume=[(dataset, key, batch_id)]) as q:
        first, last = audience.data_years(q)  # an approved new year widens the leaders' years: as it would
        widened = replace(leaders.scope, first_year=first, last_year=last)
        after = {r.key: r for r in overview.kpis(q, cfg, widened)}
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
    """One row of a submitted slice against what it is compared with (``Basis``)."""

    kind: str  # added | removed | changed | same
    key: tuple[tuple[str, object], ...]  # the row's key (column, value): Youth Home, post type, city …
    columns: tuple[tuple[str, object, object], ...] = ()  # (column, before, after) of a changed row
    values: tuple[tuple[str, object], ...] = ()  # the submitted row's values (column, value): what was reported
    outliers: tuple[tuple[str, object, object], ...] = ()  # (column, last period, now): far from last period


@dataclass(frozen=True)
class Basis:
    """What a submission is compared with: the version the district returned (a corrected resubmission),
    else what leaders see now (approved, or what was current before review), else the same rows one
    period earlier (a new period), else nothing."""

    kind: str  # returned | published | previous | none
    batch_id: int | None = None  # the returned version's batch
    period: str | None = None  # previous: the period compared with


OUTLIER_SHARE = 0.5  # a figure moving by more than half on last period is pointed out to the reviewer
OUTLIER_MIN = 2  # … and by at least this much (1 → 2 people is not an outlier)


def _slice_rows(q: Any, ds: Any, key: str, batch_id: int | None = None) -> pd.DataFrame:
    """The rows of one slice: of one batch, or as leaders see them (published)."""
    if batch_id is not None:
        return q.df(f"SELECT * FROM {ds.name} t WHERE t.batch_id = ? AND {key_sql(ds, 't')} = ?", [batch_id, key])
    return q.df(f"SELECT * FROM current_{ds.name} c WHERE {key_sql(ds, 'c')} = ?", [key])


def _previous_rows(q: Any, ds: Any, key: str) -> tuple[str | None, pd.DataFrame]:
    """The same slice one period earlier, as leaders see it (None: the slice has no period)."""
    from reform.prefill import next_period

    values = slices.values(key)
    time = "period" if "period" in values else ds.time_column if ds.time_column in values else None
    if time is None:
        return None, pd.DataFrame()
    before = next_period(str(values[time]), -1)
    where = " AND ".join(f"{c} = ?" for c in values)
    params = [before if c == time else v for c, v in values.items()]
    if time != "period":
        params = [int(p) if c == time else p for c, p in zip(values, params, strict=True)]
    return before, q.df(f"SELECT * FROM current_{ds.name} WHERE {where}", params)


def basis(store: Store, dataset: str, key: str, batch_id: int) -> Basis:
    """What the submission ``batch_id`` of a slice is compared with (see ``Basis``)."""
    ds = DATASETS[dataset]
    with store.reader(published=True) as q:
        steps = q.df(
            """SELECT state, batch_id FROM reviews WHERE dataset = ? AND slice = ?
               AND state IN ('returned', 'approved') ORDER BY id DESC LIMIT 1""",
            [dataset, key],
        )
        if not steps.empty and steps.at[0, "state"] == "returned" and int(steps.at[0, "batch_id"]) != batch_id:
            return Basis("returned", int(steps.at[0, "batch_id"]))
        if not _slice_rows(q, ds, key).empty:
            return Basis("published")
        period, rows = _previous_rows(q, ds, key)
    return Basis("previous", period=period) if not rows.empty else Basis("none")


def submission(store: Store, dataset: str, key: str, batch_id: int) -> tuple[Basis, list[Change]]:
    """Every submitted row of a slice with its values, against its basis (rows added, removed, changed,
    the same), and the figures far from last period's (more than half and at least ``OUTLIER_MIN``)."""
    ds = DATASETS[dataset]
    names = [
        c for c, _ in stored_columns(ds) if c not in ds.key and c not in ("period_kind", "period_start", "period_end")
    ]
    found = basis(store, dataset, key, batch_id)
    time = "period" if "period" in ds.slice else ds.time_column
    same_row = [c for c in ds.key if c != time]  # a row's identity from one period to the next
    with store.reader(published=True) as q:
        new = _slice_rows(q, ds, key, batch_id)
        old = (
            _slice_rows(q, ds, key, found.batch_id)
            if found.kind == "returned"
            else _slice_rows(q, ds, key)
            if found.kind == "published"
            else _previous_rows(q, ds, key)[1]
        )
        last = _previous_rows(q, ds, key)[1]
    match = ds.key if found.kind in ("returned", "published") else same_row
    return found, _compare(ds, new, old, last, names, match, same_row)


def _records(frame: pd.DataFrame, columns: list[str]) -> dict[tuple[object, ...], dict[str, object]]:
    return {tuple(_plain(r[c]) for c in columns): r for r in frame.to_dict("records")}


def _compare(
    ds: Any,
    new: pd.DataFrame,
    old: pd.DataFrame,
    last: pd.DataFrame,
    names: list[str],
    match: list[str],
    same: list[str],
) -> list[Change]:
    shown_key = [c for c in ds.key if c not in ds.slice] or list(ds.key)  # the slice's own columns say nothing
    before, previous = _records(old, match), _records(last, same)
    result = []
    for row in sorted(new.to_dict("records"), key=lambda r: r["source_row"]):
        label = tuple((c, row[c]) for c in shown_key)
        values = tuple((c, _plain(row[c])) for c in names)
        was = before.get(tuple(_plain(row[c]) for c in match))
        moved = () if was is None else tuple((c, _plain(was[c]), v) for c, v in values if _plain(was[c]) != v)
        kind = "added" if was is None else "changed" if moved else "same"
        result.append(
            Change(kind, label, moved, values, _outliers(values, previous.get(tuple(_plain(row[c]) for c in same))))
        )
    kept = {tuple(_plain(r[c]) for c in match) for r in new.to_dict("records")}
    for found, row in before.items():
        if found not in kept:
            result.append(Change("removed", tuple((c, row[c]) for c in shown_key)))
    return result


def _outliers(
    values: tuple[tuple[str, object], ...], last: dict[str, object] | None
) -> tuple[tuple[str, object, object], ...]:
    """Numbers far from the same row's last period: more than ``OUTLIER_SHARE`` and ``OUTLIER_MIN`` apart."""
    if last is None:
        return ()
    far = []
    for column, now in values:
        before = _plain(last.get(column))
        if isinstance(now, int | float) and isinstance(before, int | float) and not isinstance(now, bool):
            gap = abs(float(now) - float(before))
            if gap >= OUTLIER_MIN and (before == 0 or gap / abs(float(before)) > OUTLIER_SHARE):
                far.append((column, before, now))
    return tuple(far)


def changes(store: Store, dataset: str, key: str, batch_id: int) -> list[Change]:
    """The submitted rows of a slice that differ from its basis: rows added, removed and changed."""
    return [c for c in submission(store, dataset, key, batch_id)[1] if c.kind != "same"]


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
