"""failmap dashboard: routes to the pages; the pages hold the UI."""

import streamlit as st

st.set_page_config(page_title="failmap", page_icon=":material/grid_view:", layout="wide")

navigation = st.navigation(
    [
        st.Page(
            "app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True
        ),
    ]
)
navigation.run()
