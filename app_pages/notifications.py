"""Notifications (通知记录): every reminder, alert and digest sent, for admins."""

from __future__ import annotations

import streamlit as st

from reform import i18n, notify
from ui import widgets
from ui.context import current

ctx = current("audit")
widgets.header(ctx, "page.notifications")
st.caption(ctx.t("notifications.intro"))
sent = notify.log(ctx.store)
words = {
    column: {k.rsplit(".", 1)[1]: ctx.t(k) for k in i18n.MESSAGES if k.startswith(f"notify.{column}.")}
    for column in ("kind", "status", "recipient")
}
shown = sent.assign(**{c: sent[c].map(lambda v, w=w: w.get(v, v)) for c, w in words.items()})
widgets.table(
    ctx,
    shown,
    ["created_at", "kind", "recipient", "channel", "subject", "status", "attempts", "sent_at", "result"],
    key="notifications.log",
)
widgets.footer(ctx)
