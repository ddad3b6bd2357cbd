"""The audit log (the audit administrator, or a combined admin): its seals checked, then every line:
sign-ins, failed sign-ins, uploads, refusals, rollbacks, exports, account changes."""

from __future__ import annotations

import streamlit as st

from reform import auth
from ui import widgets
from ui.context import current

ctx = current("audit")
st.title(ctx.t("page.audit"))
st.caption(ctx.t("audit.intro"))
verdict = auth.verify_audit(ctx.store)
if verdict.ok:
    st.success(ctx.t("audit.verify.ok"), icon=":material/verified:")
else:
    st.error(ctx.t("audit.verify.failed", count=len(verdict.breaks)), icon=":material/gpp_bad:")
    for found in verdict.breaks[:20]:
        st.write(ctx.t(f"audit.verify.{found.problem}", id=found.line_id))
widgets.table(
    ctx, auth.audit_log(ctx.store), ["logged_at", "user_name", "action", "outcome", "detail"], key="audit.table"
)
