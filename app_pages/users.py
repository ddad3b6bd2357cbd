"""Accounts (a system administrator, or a combined admin): list, add, disable or enable, reset a
password. Administrators' own accounts are changed on the server's command line. Every change is logged."""

from __future__ import annotations

import streamlit as st

from ui import accounts, widgets
from ui.context import current

ctx = current("users")
st.title(ctx.t("page.users"))
widgets.table(
    ctx,
    accounts.listing(ctx),
    ["name", "role", "township", "disabled", "created_at", "locked_until"],
    key="users.table",
)
if ctx.allowed("security"):  # a combined admin also lifts locks here (a system administrator does not)
    accounts.holds(ctx)
accounts.add_form(ctx)
accounts.manage_form(ctx)
