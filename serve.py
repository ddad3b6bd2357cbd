"""The server entry: the dashboard (``dashboard.py``) behind our guard (``ui.server.Guard``).

``make run`` starts it with ``streamlit run serve.py``. The guard binds signed-in sessions
to their browser, refuses uploads from sessions nobody signed in to, and adds security
headers; ``ui.present`` serves presentation mode and the big screen (数据大屏).
``streamlit run dashboard.py`` still works for development, without them.
"""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from ui import present
from ui.server import Guard

present.MOUNTED = True  # the meeting page offers presentation links only where they are served
app = st.App("dashboard.py", routes=present.ROUTES, middleware=[Middleware(Guard)])
