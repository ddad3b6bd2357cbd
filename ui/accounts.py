"""Account forms: add and manage users (admin), change one's own password. Every change goes to the audit log."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from reform import actions, auth, clock
from reform.auth import AuthError
from ui import auth as auth_ui
from ui.context import Context
from ui.widgets import escape


def _refused(ctx: Context, exc: AuthError) -> None:
    st.error(ctx.t(f"auth.{exc.code}", **exc.params))


def listing(ctx: Context) -> pd.DataFrame:
    frame = auth.users(ctx.store)
    return frame.assign(
        role=frame["role"].map(lambda r: ctx.t(f"role.{r}")),
        disabled=frame["disabled"].map(lambda v: ctx.t("yes" if v else "no")),
    )


def add_form(ctx: Context) -> None:
    st.subheader(ctx.t("users.add"))
    with st.form("users.add_form", clear_on_submit=True):
        name = st.text_input(ctx.t("auth.name"), key="users.name")
        role = st.selectbox(
            ctx.t("users.role"),
            actions.creatable_roles(ctx.user, ctx.cfg),
            format_func=lambda r: ctx.t(f"role.{r}"),
            key="users.role",
        )
        township = st.selectbox(ctx.t("users.township"), [None, *ctx.cfg.township_names], key="users.township")
        first = st.text_input(ctx.t("auth.new_password"), type="password", key="users.password")
        second = st.text_input(ctx.t("auth.repeat_password"), type="password", key="users.password2")
        submitted = st.form_submit_button(ctx.t("users.add"), type="primary")
    if not submitted:
        return
    if first != second:
        st.error(ctx.t("auth.mismatch"))
        return
    try:
        actions.add_user(ctx.store, ctx.cfg, ctx.user, name, role, first, township)
    except AuthError as exc:
        _refused(ctx, exc)
        return
    st.success(ctx.t("users.added", name=name))


def manage_form(ctx: Context) -> None:
    names = list(auth.users(ctx.store)["name"])
    if not names:
        return
    st.subheader(ctx.t("users.manage"))
    with st.form("users.manage_form", clear_on_submit=True):
        name = st.selectbox(ctx.t("auth.name"), names, key="users.manage_name")
        action = st.radio(
            ctx.t("users.action"),
            ("disable", "enable", "passwd"),
            format_func=lambda a: ctx.t(f"users.{a}"),
            key="users.action",
            horizontal=True,
        )
        password = st.text_input(ctx.t("auth.new_password"), type="password", key="users.reset_password")
        submitted = st.form_submit_button(ctx.t("users.apply"))
    if not submitted:
        return
    try:
        if action == "passwd":
            actions.set_password(ctx.store, ctx.user, name, password, ctx.cfg.password)
        else:
            if name == ctx.user.name and action == "disable":
                raise AuthError("self_disable")
            actions.set_disabled(ctx.store, ctx.user, name, action == "disable")
    except AuthError as exc:
        _refused(ctx, exc)
        return
    st.success(ctx.t("users.done", name=name))


def password_form(ctx: Context) -> None:
    auth_ui.change_form(ctx.store, ctx.cfg, ctx.user, ctx.lang, "account")


def holds(ctx: Context) -> None:
    """Locked names and this server's slowed client addresses, each with a button that lifts it."""
    now = clock.now()
    locked = auth.users(ctx.store)
    locked = locked[locked["locked_until"].notna() & (locked["locked_until"] > now)]  # a lock run out is none
    slowed = auth.ADDRESSES.slowed(now)
    if locked.empty and not slowed:
        return
    st.subheader(ctx.t("users.holds"))
    for name in locked["name"]:
        left, right = st.columns([3, 1])
        left.write(escape(ctx.t("users.locked_name", name=name)))
        if right.button(ctx.t("users.unlock"), key=f"users.unlock.{name}"):
            actions.unlock(ctx.store, ctx.user, str(name))
            st.rerun()
    for address, failures, wait in slowed:
        left, right = st.columns([3, 1])
        left.write(escape(ctx.t("users.slowed_address", address=address, failures=failures, seconds=wait)))
        if right.button(ctx.t("users.lift"), key=f"users.lift.{address}"):
            actions.lift_address(ctx.store, ctx.user, address)
            st.rerun()
