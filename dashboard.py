"""Entry and router: page settings, shared sidebar filters, navigation. Nothing else."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import context

st.set_page_config(page_title="改革进展监测 Reform Progress Monitor", page_icon=":material/monitoring:", layout="wide")

ctx = context.start()
st.logo(str(Path(__file__).parent / "data" / "maps" / "logo.svg"), size="large")

PAGES = {
    "nav.overview": [
        ("app_pages/overview.py", "page.overview", ":material/dashboard:", "overview"),
        ("app_pages/meeting.py", "page.meeting", ":material/co_present:", "meeting"),
    ],
    "nav.areas": [
        ("app_pages/staffing.py", "page.staffing", ":material/groups:", "staffing"),
        ("app_pages/venues.py", "page.venues", ":material/home_work:", "venues"),
        ("app_pages/alumni.py", "page.alumni", ":material/map:", "alumni"),
        ("app_pages/pathways.py", "page.pathways", ":material/school:", "pathways"),
        ("app_pages/funding.py", "page.funding", ":material/payments:", "funding"),
        ("app_pages/inspections.py", "page.inspections", ":material/policy:", "inspections"),
    ],
    "nav.data": [
        ("app_pages/upload.py", "page.upload", ":material/upload_file:", "upload"),
        ("app_pages/completeness.py", "page.completeness", ":material/fact_check:", "completeness"),
        ("app_pages/data.py", "page.data", ":material/history:", "data"),
    ],
}

navigation = st.navigation(
    {
        ctx.t(section): [
            st.Page(
                path,
                title=ctx.t(title),
                icon=icon,
                url_path=None if url == "overview" else url,
                default=url == "overview",
            )
            for path, title, icon, url in pages
        ]
        for section, pages in PAGES.items()
    }
)
navigation.run()
