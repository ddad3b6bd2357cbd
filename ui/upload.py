"""The upload page's parts: the dry run (kept per file), its report, and the commit result."""

from __future__ import annotations

import streamlit as st

from reform import i18n, ingest
from reform.datasets import DATASETS
from reform.store import CommitResult
from ui.context import Context
from ui.widgets import escape

_REPORT_KEY = "upload.report"


def dry_run(ctx: Context, data: bytes, file_name: str, dataset: str | None) -> ingest.Report:
    """Validate once per (file, dataset) choice; reruns reuse the report."""
    key = (ingest.content_hash(data), file_name, dataset)
    kept = st.session_state.get(_REPORT_KEY)
    if kept is None or kept[0] != key:
        with st.spinner("…"):
            report = ingest.validate(data, file_name, ctx.cfg, dataset)
        kept = (key, report)
        st.session_state[_REPORT_KEY] = kept
    return kept[1]


def report_summary(ctx: Context, report: ingest.Report) -> None:
    """Counts, the verdict, and the table of problems (row, column, value, message)."""
    cols = st.columns(4)
    cols[0].metric(ctx.t("upload.rows_read"), report.rows_read)
    cols[1].metric(ctx.t("upload.rows_valid"), report.rows_valid)
    cols[2].metric(ctx.t("upload.rows_skipped"), report.rows_skipped)
    cols[3].metric(ctx.t("upload.errors"), len(report.errors))
    name = i18n.label(DATASETS[report.dataset], ctx.lang) if report.dataset else "?"
    if report.ok:
        st.success(escape(ctx.t("upload.ok", rows=report.rows_valid, dataset=name)))
    else:
        st.error(escape(ctx.t("upload.has_errors", count=len(report.errors))))
    if report.problems:
        st.subheader(ctx.t("upload.problems"))
        frame = report.problems_frame(ctx.lang)
        frame.columns = [ctx.t(f"col.{c}") for c in frame.columns]
        st.dataframe(frame, hide_index=True, width="stretch", key="upload.problem_table")


def commit_result(ctx: Context, result: CommitResult) -> None:
    if result.duplicate_of is not None:
        st.info(ctx.t("upload.duplicate", batch=result.duplicate_of))
    else:
        st.success(
            ctx.t("upload.committed", batch=result.batch_id, rows=result.rows_stored, replaced=result.rows_replaced)
        )
