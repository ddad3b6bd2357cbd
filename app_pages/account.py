"""My account: change my own password (needs the current one)."""

from __future__ import annotations

import streamlit as st

from ui import accounts
from ui.context import current

ctx = current("account")
st.title(ctx.t("page.account"))
if ctx.user.is_local:
    st.info(ctx.t("auth.local_banner"))
    st.stop()
accounts.password_form(ctx)
