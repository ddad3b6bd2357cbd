"""A township clerk's home: what the unit owes, what waits for review, what came back and why.

The landing page of township accounts (``app_pages/home.py``): a clerk opens the app to see what
罗塘街道 still owes, not the district's overview. Every returned report is said with the reviewer's
reason on every page the clerk opens (``returned_notice``), until it is sent again.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from reform import clock, i18n, slices
from reform.audience import Scope
from reform.datasets import DATASETS
from ui import cache, widgets
from ui.context import Context

UPLOAD = "app_pages/upload.py"
SOON_DAYS = 30  # reports due within this many days are listed beside the overdue ones


def unit(ctx: Context) -> str | None:
    """The township a clerk reports for (None for other accounts)."""
    return ctx.user.township if ctx.user.role == "township" else None


def returned(ctx: Context) -> pd.DataFrame:
    """The clerk's slices whose latest review step is a return (reason, who, when)."""
    town = unit(ctx)
    if town is None or not ctx.cfg.review_required:
        return pd.DataFrame(columns=["dataset", "slice", "reason", "by_user", "decided_at"])
    found = cache.unit_states(str(ctx.store.path), ctx.store.review_version(), town)
    return found[found["state"] == "returned"].reset_index(drop=True)


def returned_notice(ctx: Context) -> None:
    """On every page a clerk opens: each returned report, the reviewer's reason and who returned it."""
    for row in returned(ctx).itertuples(index=False):
        st.error(
            widgets.escape(
                ctx.t(
                    "home.returned",
                    report=_report(ctx, row.dataset, row.slice),
                    reason=row.reason or "—",
                    by=row.by_user,
                    when=str(clock.shown(row.decided_at, ctx.cfg.timezone))[:16],
                )
            ),
            icon=":material/undo:",
        )


def _report(ctx: Context, dataset: str, key: str) -> str:
    """队伍配备 2026年第一季度: a report as a clerk names it."""
    values = {k: v for k, v in slices.values(key).items() if k != "township"}
    period = " ".join(i18n.period_words(v, ctx.lang) for v in values.values())
    return f"{i18n.label(DATASETS[dataset], ctx.lang)} {period}"


def owed(ctx: Context, town: str, today: date) -> pd.DataFrame:
    """The unit's reports overdue, and those due within ``SOON_DAYS``, earliest deadline first."""
    first = min(ctx.cfg.reporting_first_year, today.year)
    scope = Scope(first, today.year, (town,), today=today)
    frame = cache.completeness(str(ctx.store.path), ctx.reports_version, str(ctx.cfg.source), scope, today.isoformat())
    soon = (frame["status"] == "pending") & frame["due"].map(lambda d: (d - today).days <= SOON_DAYS)
    return frame[(frame["status"] == "missing") | soon].sort_values("due").reset_index(drop=True)


def home(ctx: Context) -> None:
    """What the unit owes, with the next step for each; then where each sent report stands."""
    town = unit(ctx) or "—"
    st.caption(widgets.escape(ctx.t("home.unit", unit=town)))
    today = ctx.cfg.today()
    back = returned(ctx)
    st.subheader(ctx.t("home.owed"))
    frame = owed(ctx, town, today)
    if frame.empty:
        st.success(ctx.t("home.nothing_owed"))
    else:
        came_back = {(d, _report(ctx, d, k)) for d, k in zip(back["dataset"], back["slice"], strict=True)}
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
            "report": [_report(ctx, d, k) for d, k in zip(found["dataset"], found["slice"], strict=True)],
            "state": [ctx.t(f"review.state.{s}") for s in found["state"]],
            "reason": found["reason"].fillna("").replace("", "—"),
            "decided_by": found["by_user"],
            "decided_at": found["decided_at"].map(lambda v: str(clock.shown(v, ctx.cfg.timezone))[:16]),
            "next": [ctx.t(f"home.next.{s}") for s in found["state"]],
        }
    )
    widgets.table(ctx, shown, list(shown.columns), key="home.states")
