"""The period every page filters by: a date range in the sidebar, shared across pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

PERIOD_KEY = "period"


@dataclass(frozen=True)
class Period:
    """Days `start` to `end`, both included (UTC, like every timestamp in failmap)."""

    start: dt.date
    end: dt.date

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), tzinfo=dt.UTC)

    @property
    def end_at(self) -> dt.datetime:
        """The first instant after the period."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)

    def params(self) -> dict[str, object]:
        """Bind parameters for SQL: `:start`/`:end` (dates), `:start_at`/`:end_at` (instants)."""
        return {
            "start": self.start,
            "end": self.end,
            "start_at": self.start_at,
            "end_at": self.end_at,
        }

    def __str__(self) -> str:
        if self.start == self.end:
            return f"{self.start:%b %d, %Y}"
        if self.start.year != self.end.year:  # "Nov 01 – Dec 23, 2026" would hide a year
            return f"{self.start:%b %d, %Y} – {self.end:%b %d, %Y}"
        return f"{self.start:%b %d} – {self.end:%b %d, %Y}"


def data_span(freshness: pd.Series) -> tuple[dt.date | None, dt.date | None]:
    """First and last day with data: segments evaluated, or files loaded (the ledger's days)."""
    days = [
        _day(freshness.get(column))
        for column in ("first_evaluated_at", "last_evaluated_at", "last_file_loaded_at")
    ]
    known = [day for day in days if day is not None]
    if days[0] is None or not known:
        return None, None
    return days[0], max(known)


def _day(value: object) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def period_sidebar(first: dt.date | None, last: dt.date | None) -> None:
    """The date-range picker in the sidebar, bounded by the data's first and last day."""
    if first is None or last is None:
        return
    today = dt.datetime.now(dt.UTC).date()
    st.sidebar.date_input(
        "Period",
        value=(first, last),
        min_value=first,
        max_value=max(last, today),
        key=PERIOD_KEY,
        help="Every page shows the data evaluated in these days (UTC).",
    )


def selected_period(first: dt.date, last: dt.date) -> Period:
    """The period picked in the sidebar; the data's whole span until one is picked."""
    chosen = st.session_state.get(PERIOD_KEY)
    if not chosen:
        return Period(first, last)
    if isinstance(chosen, dt.date):
        return Period(chosen, chosen)
    start = chosen[0]
    end = chosen[1] if len(chosen) > 1 else last  # while the end day is still being picked
    return Period(start, end)
