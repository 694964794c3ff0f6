"""What every page starts with: the data's span, the chosen period, or the empty state."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lib.filters import Period, data_span, selected_period
from lib.notices import show_missing, show_no_data
from lib.queries import MartMissing, data_freshness


@dataclass(frozen=True)
class PageContext:
    freshness: pd.Series
    period: Period


def page_context() -> PageContext:
    """Freshness and period for a page that needs data; shows the empty state and stops if none."""
    try:
        freshness = data_freshness()
    except MartMissing as error:
        if error.relation == "marts.data_freshness" and "permission" not in error.detail:
            show_no_data()
        else:
            show_missing(error, "The dashboard")
        st.stop()
    first, last = data_span(freshness)
    if not freshness["segment_count"] or first is None or last is None:
        show_no_data()
        st.stop()
    return PageContext(freshness=freshness, period=selected_period(first, last))


def period_caption(period: Period, note: str = "") -> None:
    """The period a page shows, under its title."""
    st.caption(f"Period: **{period}** (UTC). {note}".strip())
