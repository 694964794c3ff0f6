"""The sidebar every page shares: the period picker and how current the data is."""

from __future__ import annotations

import streamlit as st

from lib.filters import data_span, period_sidebar
from lib.queries import MartMissing, data_freshness


def sidebar() -> None:
    """Period picker bounded by the data's span, and a freshness line (nothing without data)."""
    try:
        freshness = data_freshness()
    except MartMissing:
        return
    period_sidebar(*data_span(freshness))
    refreshed = freshness["refreshed_at"]
    if refreshed is not None:
        st.sidebar.caption(f"Marts rebuilt {refreshed:%Y-%m-%d %H:%M} UTC")
