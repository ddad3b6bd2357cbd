"""The review page's parts and the upload page's 提交审核: tables of slices, the steps as buttons."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from reform import actions, clock, i18n, review, slices
from reform.datasets import DATASETS
from reform.review import ReviewError, Step
from ui import widgets
from ui.context import Context


def slice_name(ctx: Context, dataset: str, key: str) -> str:
    """罗塘街道 · 2025 · 经费保障: a slice as a reader names it."""
    return f"{slices.words(key, ' · ')} · {i18n.label(DATASETS[dataset], ctx.lang)}"


def _shown(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(
        slice_name=[slice_name(ctx, d, k) for d, k in zip(frame["dataset"], frame["slice"], strict=True)],
        state_word=frame["state"].map(lambda s: ctx.t(f"review.state.{s}")),
        decided_at=frame["decided_at"].map(lambda v: str(clock.shown(v, ctx.cfg.timezone))[:16]),  # stored UTC
    )


def _take(ctx: Context, steps: list[Step], reason: str = "") -> None:
    try:
        actions.review_steps(ctx.store, ctx.cfg, ctx.user, steps, reason)
    except ReviewError as exc:
        st.error(widgets.escape(review.describe(exc, ctx.lang)))
        return
    st.session_state["review.done"] = ctx.t("review.done", count=len(steps), step=ctx.t(f"review.step.{steps[0].step}"))
    st.rerun()


def queue(ctx: Context) -> None:
    """Submitted slices, oldest first: select one or many, then approve or return with a reason."""
    done = st.session_state.pop("review.done", None)
    if done:
        st.success(done)
    st.subheader(ctx.t("review.queue"))
    waiting = review.queue(ctx.store)
    if waiting.empty:
        st.caption(ctx.t("review.queue_empty"))
        return
    shown = _shown(ctx, waiting)
    st.dataframe(
        shown[["slice_name", "batch_id", "by_user", "decided_at"]].rename(
            columns={
                "slice_name": ctx.t("col.slice"),
                "batch_id": ctx.t("col.batch_id"),
                "by_user": ctx.t("col.submitted_by"),
                "decided_at": ctx.t("col.submitted_at"),
            }
        ),
        hide_index=True,
        width="stretch",
        key="review.queue",
    )
    for row in waiting.itertuples(index=False):  # per slice: its rows against the approved ones, its effect
        details(ctx, row.dataset, row.slice, int(row.batch_id))
    names = dict(zip(shown["slice_name"], zip(waiting["dataset"], waiting["slice"], strict=True), strict=True))
    chosen = st.multiselect(ctx.t("review.choose"), list(names), key="review.chosen", placeholder=ctx.t("app.choose"))
    steps = [Step(*names[n], "") for n in chosen]
    reason = st.text_input(ctx.t("review.reason"), key="review.reason", max_chars=200)
    left, right = st.columns(2)
    if left.button(ctx.t("review.approve", count=len(steps)), type="primary", disabled=not steps, key="review.approve"):
        _take(ctx, [Step(s.dataset, s.slice, "approve") for s in steps])
    if right.button(ctx.t("review.return", count=len(steps)), disabled=not steps, key="review.return"):
        _take(ctx, [Step(s.dataset, s.slice, "return") for s in steps], reason)


def _value(ctx: Context, dataset: str, column: str, value: object) -> str:
    """A stored value as the reviewer reads it: an enumeration by its label, an empty cell as 空."""
    if value is None:
        return ctx.t("review.empty")
    found = DATASETS[dataset].column_map.get(column)
    return i18n.choice(found, str(value), ctx.lang) if found is not None and found.kind == "enum" else str(value)


def details(ctx: Context, dataset: str, key: str, batch_id: int) -> None:
    """One submitted slice: every row with the values reported, against its basis (the returned version,
    the approved one, or last period's), the figures far from last period's, what the approval would
    change on the leaders' screens, and the uploader's explanations."""
    basis, rows = review.submission(ctx.store, dataset, key, batch_id)
    said = review.explanations(ctx.store, dataset, key, batch_id)
    counts = {kind: sum(c.kind == kind for c in rows) for kind in ("added", "removed", "changed")}
    shown_basis = ctx.t(
        f"review.basis.{basis.kind}", batch=basis.batch_id, period=i18n.period_words(basis.period, ctx.lang)
    )
    title = ctx.t("review.diff_title", slice=slice_name(ctx, dataset, key), basis=shown_basis, **counts)
    if not said.empty:
        title += ctx.t("review.has_explanations", count=len(said))
    far = sum(bool(c.outliers) for c in rows)
    with st.expander(widgets.escape(title), expanded=not said.empty or far > 0):
        effect = review.effect(ctx.store, ctx.cfg, dataset, key, batch_id, ctx.lang)
        words = "；".join(effect) if effect else ctx.t("review.no_effect")
        st.write(widgets.escape(ctx.t("review.effect_short", changes=words)))
        if far:
            st.warning(ctx.t("review.outliers_found", count=far), icon=":material/warning:")
        if not said.empty:
            st.markdown(f"**{ctx.t('review.explanations')}**")
            for item in said.itertuples(index=False):
                head = ctx.t("review.explanation", rows=item.rows, message=item.message)
                said_text = ctx.t("review.explanation_text", text=item.text)
                st.warning(f"{widgets.escape(head)}\n\n{widgets.escape(said_text)}")
        if not rows:
            st.caption(ctx.t("review.no_rows_changed"))
            return
        st.dataframe(
            _rows_table(ctx, dataset, rows),
            hide_index=True,
            width="stretch",
            key=f"review.diff.{dataset}.{batch_id}.{hashlib.sha256(key.encode()).hexdigest()[:10]}",
        )


def _rows_table(ctx: Context, dataset: str, rows: list[review.Change]) -> pd.DataFrame:
    """The reviewer's table: change, row, every value reported, what moved against the basis, and the
    figures far from last period's."""
    columns = DATASETS[dataset].column_map

    def name(column: str) -> str:
        return i18n.label(columns[column], ctx.lang) if column in columns else column

    def moved(column: str, before: object, after: object) -> str:
        return f"{name(column)} {_value(ctx, dataset, column, before)} → {_value(ctx, dataset, column, after)}"

    def far(column: str, before: object, after: object) -> str:
        change = f"{(float(after) - float(before)) / float(before):+.0%}" if before else "+∞"  # type: ignore[arg-type]
        return ctx.t("review.outlier", column=name(column), before=before, after=after, change=change)

    return pd.DataFrame(
        {
            ctx.t("col.change"): [ctx.t(f"review.change.{c.kind}") for c in rows],
            ctx.t("col.row_key"): [" · ".join(_value(ctx, dataset, n, v) for n, v in c.key) for c in rows],
            ctx.t("col.values_reported"): [
                "；".join(f"{name(n)} {_value(ctx, dataset, n, v)}" for n, v in c.values) for c in rows
            ],
            ctx.t("col.values_changed"): ["；".join(moved(*m) for m in c.columns) for c in rows],
            ctx.t("col.outliers"): ["；".join(far(*o) for o in c.outliers) for c in rows],
        }
    )


def approved(ctx: Context) -> None:
    """Approved (locked) slices; a reviewer may reopen one, with a reason."""
    st.subheader(ctx.t("review.approved"))
    found = review.states(ctx.store)
    found = found[found["state"] == "approved"].reset_index(drop=True)
    if found.empty:
        st.caption(ctx.t("app.no_rows"))
        return
    shown = _shown(ctx, found)
    names = dict(zip(shown["slice_name"], zip(found["dataset"], found["slice"], strict=True), strict=True))
    chosen = st.selectbox(
        ctx.t("review.reopen_which"),
        list(names),
        index=None,
        key="review.reopen_slice",
        placeholder=ctx.t("app.choose"),
    )
    reason = st.text_input(ctx.t("review.reason"), key="review.reopen_reason", max_chars=200)
    if st.button(ctx.t("review.step.reopen"), disabled=chosen is None, key="review.reopen"):
        dataset, key = names[chosen]
        _take(ctx, [Step(dataset, key, "reopen")], reason)


def submit_now(ctx: Context, batch_id: int) -> None:
    """Submit an upload's slices (保存并提交审核, or the button after a save); what happened is kept for
    the next run, so the page shows its state, not a second attempt's error."""
    try:
        count = review.submit_batch(ctx.store, ctx.cfg, ctx.user, batch_id)
    except ReviewError as exc:
        st.session_state["upload.submitted"] = (batch_id, None, review.describe(exc, ctx.lang))
        return
    st.session_state["upload.submitted"] = (batch_id, count, "")


def submit_button(ctx: Context, batch_id: int) -> None:
    """On the upload page, after a commit with review on: submit this upload's slices, once; after that
    the button stays, disabled, saying where the report is (已提交审核)."""
    if not ctx.cfg.review_required:
        return
    done = st.session_state.get("upload.submitted")
    if done and done[0] == batch_id:
        if done[1] is None:
            st.error(widgets.escape(done[2]))
        else:
            st.success(ctx.t("review.submitted", count=done[1]))
            st.button(ctx.t("review.state.submitted"), disabled=True, key="upload.submit", icon=":material/check:")
            return
    st.info(ctx.t("review.submit_hint"))
    if st.button(ctx.t("review.step.submit"), type="primary", key="upload.submit"):
        submit_now(ctx, batch_id)
        st.rerun()
