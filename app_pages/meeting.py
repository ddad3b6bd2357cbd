"""Meeting mode: a 16:9 slide show of a frozen data version, and the meeting pack to download."""

from __future__ import annotations

import streamlit as st

from ui import meeting, widgets
from ui.context import current

ctx = current("meeting")
st.title(ctx.t("page.meeting"))
if not ctx.version:
    st.info(ctx.t("app.empty"))
    st.stop()
version = meeting.frozen_version(ctx)
deck = meeting.chosen(ctx, meeting.deck(ctx, version))
if not deck.slides:
    st.info(ctx.t("meeting.empty"))
    st.stop()
index = meeting.navigation(ctx, len(deck.slides))
meeting.show(ctx, deck.slides[index])
meeting.downloads(ctx, deck)
widgets.footer(ctx)
