"""Upload: templates, choose or recognise the dataset, the dry-run report, what a commit changes, commit."""

from __future__ import annotations

import streamlit as st

from reform import i18n
from reform.datasets import DATASETS
from reform.ingest.readers import READERS
from ui import review_view, upload, widgets
from ui.context import current

AUTO = "auto"
ctx = current("upload")
widgets.header(ctx, "page.upload")
st.write(ctx.t("upload.intro"))
upload.templates(ctx)
upload.prefilled(ctx)

left, right = st.columns([1, 2])
dataset = left.selectbox(
    ctx.t("upload.dataset"),
    [AUTO, *DATASETS],
    format_func=lambda n: ctx.t("upload.auto") if n == AUTO else i18n.label(DATASETS[n], ctx.lang),
    key="upload.dataset",
)
with right:
    widgets.uploader_words(ctx, [e.lstrip(".").upper() for e in READERS])
file = right.file_uploader(ctx.t("upload.file"), type=[e.lstrip(".") for e in READERS], key="upload.file")

if file is not None:
    report = upload.dry_run(ctx, file.getvalue(), file.name, None if dataset == AUTO else dataset)
    done = st.session_state.get("upload.result")
    upload.report_summary(ctx, report, stored=bool(done and done[0] == file.file_id))
    if done and done[0] == file.file_id:  # this file is stored: say so; with review on, offer to submit it
        upload.commit_result(ctx, done[1])
        if done[1].batch_id is not None:
            review_view.submit_button(ctx, done[1].batch_id)
    elif report.ok and not upload.refusals(ctx, report)[1] and not upload.locked(ctx, report):  # said above
        upload.changes(ctx, report)
        explained = upload.explanations(ctx, report)
        missing = len(report.needs_explanation()) - len(explained)
        if missing:
            st.caption(ctx.t("upload.explain_missing", count=missing))
        both = ctx.cfg.review_required and st.button(  # with review on, saving and submitting are one step
            ctx.t("upload.commit_submit"), type="primary", key="upload.commit_submit", disabled=missing > 0
        )
        alone = st.button(
            ctx.t("upload.commit_only" if ctx.cfg.review_required else "upload.commit"),
            type="secondary" if ctx.cfg.review_required else "primary",
            key="upload.commit",
            disabled=missing > 0,
        )
        if both or alone:
            result = upload.commit(ctx, report, explained)
            if result is not None:
                st.session_state["upload.result"] = (file.file_id, result)
                if both and result.batch_id is not None:
                    review_view.submit_now(ctx, result.batch_id)
                st.rerun()  # the new data version reaches the sidebar, footer and every chart
widgets.footer(ctx)
