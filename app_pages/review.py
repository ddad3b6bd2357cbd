"""Review (审核): the queue of submitted slices, approve or return one or many; reopen approved ones."""

from __future__ import annotations

import streamlit as st

from ui import review_view, widgets
from ui.context import current

ctx = current("review")
widgets.header(ctx, "page.review")
if not ctx.cfg.review_required:
    st.info(ctx.t("review.off"))
review_view.queue(ctx)
review_view.approved(ctx)
widgets.footer(ctx)
