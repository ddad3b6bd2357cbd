"""Upload history: every batch (who, when, file, dataset, slices, rows), its rows, restore and roll back."""

from __future__ import annotations

import streamlit as st

from ui import cache, history_view, widgets
from ui.context import current

ctx = current("history")
widgets.header(ctx, "page.data")
st.write(ctx.t("data.intro"))
history_view.remove_sample(ctx)
batches = history_view.visible(ctx, cache.history(str(ctx.store.path), ctx.version, history_view.scope_key(ctx)))
if batches.empty:
    st.info(ctx.t("data.none"))
    st.stop()
widgets.table(
    ctx,
    history_view.readable(ctx, batches),
    [
        "batch_id",
        "kind",
        "dataset",
        "slices",
        "file_name",
        "uploaded_by",
        "uploaded_at",
        "rows_stored",
        "rows_replaced",
        "current_rows",
        "is_sample",
    ],
    key="data.batches",
)
chosen = st.selectbox(
    ctx.t("data.choose"),
    list(batches["batch_id"]),
    format_func=history_view.batch_label(ctx, batches),
    key="data.batch",
)
if chosen is not None:
    dataset = str(batches.loc[batches["batch_id"] == chosen, "dataset"].iloc[0])
    history_view.batch_detail(ctx, int(chosen), dataset)
widgets.footer(ctx)
