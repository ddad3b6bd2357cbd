"""Reporting completeness: what is missing first, then the matrix (gaps top left) and a reminder to copy."""

from __future__ import annotations

import streamlit as st

from reform import i18n
from reform.datasets import DATASETS
from ui import cache, widgets
from ui.context import current

ctx = current("completeness")
widgets.header(ctx, "page.completeness")
st.write(ctx.t("completeness.intro"))
today = ctx.cfg.today().isoformat()  # a report becomes overdue without any upload: the day is part of the key
scope = widgets.owed_scope(ctx)  # up to this year: what is owed now, though no figure of it is in yet
counts, gone, reminder = cache.completeness_view(
    str(ctx.store.path), ctx.reports_version, str(ctx.cfg.source), scope, today, ctx.lang
)
for column, status in zip(st.columns(len(counts)), counts, strict=True):
    column.metric(ctx.t(f"status.{status}"), counts[status])

st.subheader(ctx.t("completeness.missing"))
if gone.empty:
    st.success(ctx.t("completeness.none_missing"))
else:
    widgets.table(
        ctx,
        gone.assign(dataset=gone["dataset"].map(widgets.dataset_label(ctx))),
        ["township", "dataset", "period", "due", "days_overdue"],
        key="completeness.missing",
    )
st.subheader(ctx.t("completeness.matrix"))
st.caption(ctx.t("completeness.matrix_help"))
owed = [d.dataset for d in ctx.cfg.duties]
chosen = st.selectbox(
    ctx.t("completeness.dataset"),
    owed,
    format_func=lambda n: i18n.label(DATASETS[n], ctx.lang),
    key="completeness.dataset",
)

widgets.status_matrix(ctx, chosen, key="completeness.matrix", scope=scope)
st.subheader(ctx.t("completeness.reminder"))
st.code(reminder, language=None, wrap_lines=True)
widgets.footer(ctx)
