"""Meeting mode: start the full-screen presentation or the big screen of a frozen data version,
preview its slides, and download the meeting pack."""

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
meeting.present_links(ctx, deck)
st.subheader(ctx.t("meeting.preview"))
index = meeting.navigation(ctx, len(deck.slides))
meeting.show(ctx, deck.slides[index])
meeting.downloads(ctx, deck)
widgets.footer(ctx)
