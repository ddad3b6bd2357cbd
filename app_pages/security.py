"""Security (the security administrator, or a combined admin): the policy in force, locks and
throttled addresses to lift, and the 等级保护 self-check with its evidence."""

from __future__ import annotations

import streamlit as st

from ui import accounts, security_view, widgets
from ui.context import current

ctx = current("security")
st.title(ctx.t("page.security"))
st.caption(ctx.t("security.intro"))
st.subheader(ctx.t("security.policy"))
policy = security_view.policy(ctx)
widgets.table(ctx, policy, ["setting", "key", "value"], key="security.policy", rows_shown=len(policy))
accounts.holds(ctx)
st.subheader(ctx.t("security.compliance"))
level = security_view.level_choice(ctx)
frame, passed = security_view.findings(ctx, level)
(st.success if passed else st.warning)(ctx.t("security.passed" if passed else "security.failed", level=level))
widgets.table(ctx, frame, ["clause", "requirement", "verdict", "evidence", "todo"], key="security.findings")
