"""Upload history: every batch, who sent it, when, and how many of its rows are current."""

from __future__ import annotations

import streamlit as st

from ui import cache, widgets
from ui.context import current

ctx = current()
widgets.header(ctx, "page.data")
st.write(ctx.t("data.intro"))
batches = cache.batches(str(ctx.store.path), ctx.version)
if batches.empty:
    st.info(ctx.t("data.none"))
else:
    widgets.table(
        ctx,
        batches.assign(
            dataset=batches["dataset"].map(widgets.dataset_label(ctx)),
            is_sample=batches["is_sample"].map(lambda v: ctx.t("yes" if v else "no")),
        ),
        ["batch_id", "dataset", "file_name", "uploaded_by", "uploaded_at", "rows_stored", "current_rows", "is_sample"],
        key="data.batches",
    )
widgets.footer(ctx)
