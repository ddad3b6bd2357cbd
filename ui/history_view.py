"""The history page's parts: readable batch list, one batch's slices and rows, restore and roll back."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from reform import actions, auth, clock, history
from ui import cache, widgets
from ui.context import Context


def scope_key(ctx: Context) -> tuple[tuple[str, tuple[str, ...] | None], ...]:
    """The viewer's history scope as a cache key (admins: empty, i.e. everything)."""
    scope = auth.history_scope(ctx.user, ctx.cfg)
    if all(u is None for u in scope.values()):
        return ()
    return tuple((d, None if u is None else tuple(sorted(u))) for d, u in sorted(scope.items()))


def units_of(ctx: Context, dataset: str) -> tuple[str, ...] | None:
    units = auth.write_units(ctx.user, ctx.cfg, dataset)
    return None if units is None else tuple(sorted(units))


def visible(ctx: Context, batches: pd.DataFrame) -> pd.DataFrame:
    """The batches this user may see: a township's own, the district's, or all for an admin."""
    keep = [auth.sees_batch(ctx.user, ctx.cfg, d, u) for d, u in zip(batches["dataset"], batches["units"], strict=True)]
    return batches[keep].reset_index(drop=True)


def readable(ctx: Context, batches: pd.DataFrame) -> pd.DataFrame:
    return batches.assign(
        dataset=batches["dataset"].map(widgets.dataset_label(ctx)),
        kind=batches["kind"].map(lambda k: ctx.t(f"kind.{k}")),
        is_sample=batches["is_sample"].map(lambda v: ctx.t("yes" if v else "no")),
    )


def batch_label(ctx: Context, batches: pd.DataFrame) -> Callable[[int], str]:
    names = widgets.dataset_label(ctx)
    rows = batches.set_index("batch_id")

    def label(batch_id: int) -> str:
        row = rows.loc[batch_id]
        when = str(clock.shown(row["uploaded_at"], ctx.cfg.timezone))[:16]
        return f"#{batch_id} · {names[row['dataset']]} · {row['file_name']} · {when}"

    return label


def batch_detail(ctx: Context, batch_id: int, dataset: str) -> None:
    """A batch's slices (with restore buttons), its roll-back button, and its rows: of the viewer's units only."""
    units = units_of(ctx, dataset)
    slices = cache.batch_slices(str(ctx.store.path), ctx.version, batch_id, units)
    st.subheader(ctx.t("data.slices", batch=batch_id))
    widgets.table(ctx, slices, ["slice", "rows", "current_rows"], key="data.slices")
    replaced = slices[slices["current_rows"] < slices["rows"]]
    may_restore = auth.allowed(ctx.user, "rollback")
    if may_restore and not replaced.empty:
        label = st.selectbox(ctx.t("data.restore_slice"), list(replaced["slice"]), key="data.restore_choice")
        sure = st.checkbox(ctx.t("data.confirm_restore"), key="data.restore_sure")
        if st.button(ctx.t("data.restore"), key="data.restore_button", disabled=not sure):
            values = replaced[replaced["slice"] == label].iloc[0].to_dict()
            result = actions.restore(ctx.store, ctx.user, batch_id, slices=[values])
            st.session_state["data.done"] = ctx.t("data.restored", batch=result.batch_id, rows=result.rows_stored)
            st.rerun()
    if may_restore and (slices["current_rows"] > 0).any():
        undo_sure = st.checkbox(ctx.t("data.confirm_undo"), key="data.undo_sure")
        undo = st.button(ctx.t("data.undo"), key="data.undo_button", disabled=not undo_sure)
    else:
        undo = False
    if undo:
        result = actions.rollback(ctx.store, ctx.user, batch_id)
        st.session_state["data.done"] = ctx.t("data.undone", batch=result.batch_id, rows=result.rows_stored)
        st.rerun()
    if st.session_state.get("data.done"):
        st.success(st.session_state.pop("data.done"))
    with st.expander(ctx.t("data.rows")):
        rows = history.batch_rows(ctx.store, batch_id, None if units is None else set(units))
        widgets.table(ctx, rows, list(rows.columns), key="data.rows")


def remove_sample(ctx: Context) -> None:
    """An administrator's button to retire the sample data still current (asks for a confirmation)."""
    if not auth.allowed(ctx.user, "rollback") or not ctx.version:
        return
    if cache.sample_share(str(ctx.store.path), ctx.version) <= 0:
        return
    with st.expander(ctx.t("data.sample_remove_title")):
        st.write(ctx.t("data.sample_remove_help"))
        sure = st.checkbox(ctx.t("data.sample_remove_confirm"), key="data.sample_remove_sure")
        if st.button(ctx.t("data.sample_remove"), key="data.sample_remove", disabled=not sure, type="primary"):
            done = actions.remove_sample(ctx.store, ctx.user)
            rows = sum(r.rows_replaced for r in done)
            st.session_state["data.done"] = ctx.t("data.sample_removed", batches=len(done), rows=rows)
            st.rerun()
