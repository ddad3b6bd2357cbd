"""The server entry: the dashboard (``dashboard.py``) behind our guard (``ui.server.Guard``).

``make run`` starts it with ``streamlit run serve.py``. The guard binds signed-in sessions
to their browser, refuses uploads from sessions nobody signed in to, and adds security
headers; ``streamlit run dashboard.py`` still works for development, without them.
"""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from ui.server import Guard

app = st.App("dashboard.py", middleware=[Middleware(Guard)])
