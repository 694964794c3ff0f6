"""failmap dashboard: routes to the pages; the pages hold the UI.

The period picker lives here, in the sidebar every page shares, so the chosen dates follow the
user from page to page.
"""

import streamlit as st
from lib.connection import DATABASE_DOWN_ERRORS
from lib.page import require_database, show_database_down
from lib.sidebar import sidebar

st.set_page_config(page_title="failmap", page_icon=":material/grid_view:", layout="wide")

navigation = st.navigation(
    {
        "Find what fails": [
            st.Page(
                "app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True
            ),
            st.Page("app_pages/patterns.py", title="Patterns", icon=":material/pattern:"),
            st.Page("app_pages/heatmaps.py", title="Heatmaps", icon=":material/grid_on:"),
            st.Page("app_pages/trends.py", title="Trends", icon=":material/trending_up:"),
        ],
        "Act on it": [
            st.Page(
                "app_pages/check.py", title="Check a configuration", icon=":material/fact_check:"
            ),
            st.Page("app_pages/errors.py", title="Errors", icon=":material/bug_report:"),
            st.Page("app_pages/data_quality.py", title="Data quality", icon=":material/verified:"),
        ],
    }
)
require_database()
sidebar()
try:
    navigation.run()
except DATABASE_DOWN_ERRORS as error:  # went down while the page was being drawn
    show_database_down(error)
