"""Accounts (admin only): list, add, disable or enable, reset a password. Every change is logged."""

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
accounts.holds(ctx)
accounts.add_form(ctx)
accounts.manage_form(ctx)
