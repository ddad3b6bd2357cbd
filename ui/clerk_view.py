"""A township clerk's home: what the unit owes, what waits for review, what came back and why.

The landing page of township accounts (``app_pages/home.py``): a clerk opens the app to see what
罗塘街道 still owes, not the district's overview. Every returned report is said with the reviewer's
reason on every page the clerk opens (``widgets.returned_notice``), until it is sent again.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from reform import clock, i18n
from reform.audience import Scope
from reform.datasets import DATASETS
from ui import cache, widgets
from ui.context import Context

UPLOAD = "app_pages/upload.py"
SOON_DAYS = 30  # reports due within this many days are listed beside the overdue ones


def owed(ctx: Context, town: str, today: date) -> pd.DataFrame:
    """The unit's reports overdue, and those due within ``SOON_DAYS``, earliest deadline first."""
    first = min(ctx.cfg.reporting_first_year, today.year)
    scope = Scope(first, today.year, (town,), today=today)
    frame = cache.completeness(str(ctx.store.path), ctx.reports_version, str(ctx.cfg.source), scope, today.isoformat())
    soon = (frame["status"] == "pending") & frame["due"].map(lambda d: (d - today).days <= SOON_DAYS)
    return frame[(frame["status"] == "missing") | soon].sort_values("due").reset_index(drop=True)


def home(ctx: Context) -> None:
    """What the unit owes, with the next step for each; then where each sent report stands."""
    town = widgets.clerk_unit(ctx) or "—"
    st.caption(widgets.escape(ctx.t("home.unit", unit=town)))
    today = ctx.cfg.today()
    back = widgets.returned(ctx)
    st.subheader(ctx.t("home.owed"))
    frame = owed(ctx, town, today)
    if frame.empty:
        st.success(ctx.t("home.nothing_owed"))
    else:
        came_back = {(d, widgets.report_name(ctx, d, k)) for d, k in zip(back["dataset"], back["slice"], strict=True)}
        rows = []
        for row in frame.itertuples(index=False):
            report = f"{i18n.label(DATASETS[row.dataset], ctx.lang)} {i18n.period_words(row.period, ctx.lang)}"
            days = (today - row.due).days
            if (row.dataset, report) in came_back:
                state = ctx.t("home.state_returned")
            elif row.status == "missing":
                state = ctx.t("home.state_overdue", days=days)
            else:
                state = ctx.t("home.state_due", days=-days)
            rows.append({"report": report, "due": row.due, "state": state, "next": ctx.t("home.next_upload")})
        widgets.table(ctx, pd.DataFrame(rows), ["report", "due", "state", "next"], key="home.owed")
    st.page_link(UPLOAD, label=ctx.t("home.go_upload"), icon=":material/upload_file:")
    if ctx.cfg.review_required:
        _states(ctx, town)


def _states(ctx: Context, town: str) -> None:
    """Each slice the unit sent: 已上传未提交 / 待审核 / 已退回（原因） / 已通过, and what to do next."""
    st.subheader(ctx.t("home.review"))
    found = cache.unit_states(str(ctx.store.path), ctx.store.review_version(), town)
    if found.empty:
        st.caption(ctx.t("app.no_rows"))
        return
    shown = pd.DataFrame(
        {
            "report": [widgets.report_name(ctx, d, k) for d, k in zip(found["dataset"], found["slice"], strict=True)],
            "state": [ctx.t(f"review.state.{s}") for s in found["state"]],
            "reason": found["reason"].fillna("").replace("", "—"),
            "decided_by": found["by_user"],
            "decided_at": found["decided_at"].map(lambda v: str(clock.shown(v, ctx.cfg.timezone))[:16]),
            "next": [ctx.t(f"home.next.{s}") for s in found["state"]],
        }
    )
    widgets.table(ctx, shown, list(shown.columns), key="home.states")
