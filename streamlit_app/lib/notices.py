"""What a page says when there is nothing to show: how to load data, which mart is missing."""

from __future__ import annotations

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
