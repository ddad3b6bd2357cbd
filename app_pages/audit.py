"""The audit log (admin only): logins, failed logins, uploads, refusals, rollbacks, exports, user changes."""

from __future__ import annotations

import streamlit as st

from reform import auth
from ui import widgets
from ui.context import current

ctx = current("audit")
st.title(ctx.t("page.audit"))
st.caption(ctx.t("audit.intro"))
widgets.table(
    ctx, auth.audit_log(ctx.store), ["logged_at", "user_name", "action", "outcome", "detail"], key="audit.table"
)
