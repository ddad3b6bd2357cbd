"""Entry and router: page settings, the login gate, shared sidebar filters, navigation. Nothing else."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from metrics import AREA_MODULES
from reform import auth
from ui import auth as auth_ui
from ui import context

LOGO = Path(__file__).parent / "data" / "maps" / "logo.svg"
# The tab icon is our own file: a Material icon name would be fetched from an outside font host.
st.set_page_config(page_title="改革进展监测 Reform Progress Monitor", page_icon=str(LOGO), layout="wide")

ctx = context.start()
st.logo(str(LOGO), size="large")

# section -> (page file, title, icon, url, action the role needs); the page checks the action again.
PAGES = {
    "nav.overview": [
        ("app_pages/home.py", "page.home", ":material/inbox:", "home", "home"),  # a clerk's landing page
        ("app_pages/overview.py", "page.overview", ":material/dashboard:", "overview", "view"),
        ("app_pages/township.py", "page.township", ":material/location_city:", "township", "view"),
        ("app_pages/meeting.py", "page.meeting", ":material/co_present:", "meeting", "meeting"),
    ],
    "nav.areas": [  # one page per area module, in the declared order (metrics.AREA_MODULES)
        (f"app_pages/{name}.py", f"page.{name}", module.PAGE.icon, name, "view")
        for name, module in AREA_MODULES.items()
    ],
    "nav.data": [
        ("app_pages/upload.py", "page.upload", ":material/upload_file:", "upload", "upload"),
        ("app_pages/review.py", "page.review", ":material/rule:", "review", "review"),
        ("app_pages/completeness.py", "page.completeness", ":material/fact_check:", "completeness", "completeness"),
        ("app_pages/data.py", "page.data", ":material/history:", "data", "history"),
    ],
    "nav.admin": [
        ("app_pages/users.py", "page.users", ":material/manage_accounts:", "users", "users"),
        ("app_pages/security.py", "page.security", ":material/shield_lock:", "security", "security"),
        ("app_pages/audit.py", "page.audit", ":material/receipt_long:", "audit", "audit"),
        ("app_pages/notifications.py", "page.notifications", ":material/notifications:", "notifications", "audit"),
        ("app_pages/account.py", "page.account", ":material/key:", "account", "account"),
    ],
}


def visible(action: str) -> bool:
    if action == "account":  # changing one's own password needs an account
        return not ctx.user.is_local
    return auth.allowed(ctx.user, action)


HOME = "home" if visible("home") else "overview"  # a township's clerk lands on what the unit owes
navigation_pages = {
    ctx.t(section): [
        st.Page(
            path,
            title=ctx.t(title),
            icon=icon,
            url_path=None if url == HOME else url,
            default=url == HOME,
        )
        for path, title, icon, url, action in pages
        if visible(action)
    ]
    for section, pages in PAGES.items()
    if any(visible(action) for *_, action in pages)
}
navigation = st.navigation(
    navigation_pages,
    expanded=True,  # every page a role may open stays visible; none hides behind "View more"
)
wanted = auth_ui.requested_page()  # a bookmarked page opened before signing in: go there now, if allowed
if wanted and wanted != navigation.url_path:
    target = next((p for ps in navigation_pages.values() for p in ps if p.url_path == wanted), None)
    if target is not None:
        st.switch_page(target)
navigation.run()
