"""What a page says when there is nothing to show: how to load data, which mart is missing."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from lib.queries import MartMissing

LOAD_DATA_HINT = (
    "Drop `quality_scores*` and `runs*` files (CSV, JSON Lines or Parquet) into the inbox "
    "(`FAILMAP_INBOX`, default `./data/inbox`) and run `uv run failmap refresh`. "
    "To try failmap first, `uv run failmap up` loads demo data when the inbox is empty."
)

# Which part of failmap builds each relation the dashboard reads.
_BUILT_BY = {
    "marts.daily_failure_trends": "trend tracking",
    "marts.change_events": "trend tracking",
    "marts.fix_effectiveness": "fix verification",
    "marts.kpis": "fix verification",
    "marts.run_errors": "error analytics",
    "marts.error_signatures": "error analytics",
    "marts.error_summary": "error analytics",
    "marts.phase_error_breakdown": "error analytics",
    "marts.error_trends": "error analytics",
    "marts.debug_recommendations": "error analytics",
}


def missing_text(error: MartMissing, what: str) -> str:
    """One sentence: what cannot be shown, which relation it needs, and what to do."""
    relation = error.relation
    if error.detail and "permission denied" in error.detail:
        return (
            f"{what} needs `{relation}`, which the dashboard's database role may not read. "
            "Ask an operator to grant it (or to build the mart this page should read)."
        )
    if error.detail and "columns" in error.detail:
        return f"{what} cannot read `{relation}`: {error.detail}."
    feature = _BUILT_BY.get(relation)
    if feature:
        return (
            f"{what} needs `{relation}`, which {feature} builds and which is not in this "
            "database yet. Once failmap includes it, `uv run failmap refresh` builds it."
        )
    return (
        f"{what} needs `{relation}`, which is not built yet. "
        "Run `uv run failmap refresh` to build the marts."
    )


def show_missing(error: MartMissing, what: str) -> None:
    """An info box saying what cannot be shown yet and why (never a crash)."""
    st.info(missing_text(error, what), icon=":material/pending:")


def show_no_data() -> None:
    """The empty state of every page: how to get data into failmap."""
    st.info(f"**No data yet.** {LOAD_DATA_HINT}", icon=":material/inbox:")


# Days without a new segment after which the pages say their "now" is the data's last day.
STALE_AFTER_DAYS = 3


def stale_data_text(last_evaluated_at: object, today: dt.date) -> str | None:
    """The warning when the newest segment is more than STALE_AFTER_DAYS days old (None when
    it is recent or there are no segments): every "now" on the pages (patterns now, this week,
    a pattern's status) is then that day, not today."""
    if last_evaluated_at is None or pd.isna(last_evaluated_at):
        return None
    last_day = pd.Timestamp(last_evaluated_at).date()
    age = (today - last_day).days
    if age <= STALE_AFTER_DAYS:
        return None
    return (
        f"No segment since **{last_day:%Y-%m-%d}** ({age:,} days ago): patterns now, this "
        "week and each pattern's status describe the data up to that day, not today. If "
        "segments are still being generated, check that their files reach the inbox and that "
        "`uv run failmap refresh` (or the Dagster sensor) runs."
    )


def show_stale_data(freshness: pd.Series) -> None:
    text = stale_data_text(freshness.get("last_evaluated_at"), dt.datetime.now(dt.UTC).date())
    if text:
        st.warning(text, icon=":material/schedule:")
