"""Township profile (镇街画像): all indicators of one township, its rank and its trend."""

from __future__ import annotations

import streamlit as st

from ui import township_view, widgets
from ui.context import current

ctx = current()
widgets.header(ctx, "page.township")
if not ctx.version:
    st.info(ctx.t("app.empty"))
    st.stop()
township = township_view.chosen(ctx)
if township:
    township_view.show(ctx, township)
widgets.footer(ctx)
