"""The security administrator's page: the policy in force, locks to lift, and the 等级保护 self-check."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from reform import compliance
from ui.context import Context


def policy(ctx: Context) -> pd.DataFrame:
    """The settings of config.yaml → security in force, in words (changed on the server, in the file)."""
    s, p = ctx.cfg.security, ctx.cfg.security.password
    rows = [
        ("password_min_length", p.min_length),
        ("password_classes", p.classes),
        ("password_history", p.history),
        ("password_max_days", p.max_days),
        ("password_change_temporary", ctx.t("yes") if p.change_temporary else ctx.t("no")),
        ("lock_failures", s.lock_failures),
        ("lock_minutes", s.lock_minutes),
        ("idle_minutes", s.idle_minutes),
        ("max_hours", s.max_hours),
        ("separate_admins", ctx.t("yes") if s.separate_admins else ctx.t("no")),
        ("admin_networks", "、".join(s.admin_networks) or ctx.t("security.anywhere")),
    ]
    return pd.DataFrame([{"setting": ctx.t(f"security.{k}"), "key": f"security.{k}", "value": str(v)} for k, v in rows])


def findings(ctx: Context, level: int) -> tuple[pd.DataFrame, bool]:
    """The self-check of ``level`` as a table, and whether it passes."""
    found = compliance.check(ctx.cfg, ctx.store, level)
    frame = pd.DataFrame(
        [
            {
                "clause": f.clause,
                "requirement": ctx.t(f"compliance.{f.key}"),
                "verdict": ctx.t(f"compliance.status.{f.status}"),
                "evidence": "；".join(compliance.words(e, ctx.lang) for e in f.evidence),
                "todo": ctx.t(f.todo) if f.todo else "",
            }
            for f in found
        ]
    )
    return frame, compliance.passed(found)


def level_choice(ctx: Context) -> int:
    return int(
        st.radio(
            ctx.t("security.level"),
            (2, 3),
            format_func=lambda n: ctx.t("security.level_n", level=n),
            horizontal=True,
            key="security.level",
        )
    )
