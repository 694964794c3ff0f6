"""What every page starts with: a database that answers, the data's span, the chosen period, or
the empty state."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from failmap.roles import RoleUnavailable
from lib.connection import database_problem
from lib.filters import Period, data_span, selected_period
from lib.notices import show_missing, show_no_data
from lib.queries import MartMissing, data_freshness

RETRY_SECONDS = 5


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def show_database_down(error: BaseException) -> None:
    """Say that the database does not answer (or the role is not set up), and what happens now.

    While it is down the page checks again every few seconds and reloads itself once it answers.
    """
    if isinstance(error, RoleUnavailable):
        st.error(f"**The dashboard cannot sign in.** {error}", icon=":material/lock:")
        return
    st.error(
        "**The database is down or unreachable.** The dashboard shows nothing until it answers "
        f"again, and reloads by itself when it does (checked every {RETRY_SECONDS} s).\n\n"
        f"Reason: `{_first_line(error)}`",
        icon=":material/cloud_off:",
    )
    _reload_when_back()


@st.fragment(run_every=RETRY_SECONDS)
def _reload_when_back() -> None:
    if database_problem() is None:
        st.rerun(scope="app")


def require_database() -> None:
    """Stop the page with a message when the database does not answer (never a traceback)."""
    problem = database_problem()
    if problem is not None:
        show_database_down(problem)
        st.stop()


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
