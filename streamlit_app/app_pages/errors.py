"""Errors: why generation jobs fail, what to fix first, from the error-analytics marts."""

import pandas as pd
import streamlit as st
from lib import charts
from lib.notices import show_missing
from lib.page import page_context, period_caption
from lib.queries import (
    MartMissing,
    daily_errors,
    debug_recommendations,
    error_totals,
    phase_errors,
    recent_run_errors,
    unknown_error_signatures,
)
from lib.text import md_escape

SEVERITY_BADGES = {"high": "red", "medium": "orange", "low": "gray"}

st.title("Errors")
context = page_context()
period = context.period
period_caption(period, "Recommendations, phases and unknown errors cover all data.")


def section(what: str, render) -> None:
    """Render one section; a missing mart becomes a note, not an exception."""
    try:
        render()
    except MartMissing as error:
        show_missing(error, what)


def totals() -> None:
    numbers = error_totals(period)
    runs, failed = int(numbers["run_count"]), int(numbers["failed_run_count"])
    attempted = int(numbers["recovery_attempted_run_count"])
    recovered = int(numbers["recovery_succeeded_run_count"])
    columns = st.columns(5)
    columns[0].metric("Runs", f"{runs:,}", border=True)
    columns[1].metric(
        "Failed runs",
        f"{failed:,}",
        help=f"{failed / runs:.1%} of runs" if runs else None,
        border=True,
    )
    columns[2].metric(
        "Errors",
        f"{int(numbers['error_count']):,}",
        help="Every error the runs logged. A run can log several (one per phase that failed, "
        "and errors a recovery survived), so there are more errors than failed runs.",
        border=True,
    )
    columns[3].metric(
        "Unknown errors",
        f"{int(numbers['unknown_error_count']):,}",
        help="Matched no catalog entry; grouped into signatures below.",
        border=True,
    )
    columns[4].metric(
        "Recovered",
        f"{recovered / attempted:.0%}" if attempted else "–",
        help=f"Recoveries that worked: {recovered:,} of the {attempted:,} runs that attempted one.",
        border=True,
    )
    st.caption(
        "Errors outnumber failed runs: a run logs one error per phase that failed, and a run "
        "that recovered still logs the error it recovered from."
    )


def recommendations() -> None:
    st.subheader("What to fix first")
    rows = debug_recommendations()
    if rows.empty:
        st.success("No error needs attention.", icon=":material/check_circle:")
        return
    for rank, row in enumerate(rows.head(3).itertuples(), start=1):
        with st.container(border=True):
            st.markdown(
                f"**{rank}. {md_escape(row.issue)}** "
                f":{SEVERITY_BADGES.get(row.severity, 'gray')}-badge[{row.severity}]"
            )
            st.markdown(f"**Why:** {md_escape(row.root_cause)}")
            st.markdown(f"**Do:** {md_escape(row.solution)}")
            evidence = (
                f"{int(row.error_count):,} errors in {int(row.affected_run_count):,} runs, "
                f"mostly in phase {md_escape(row.top_phase)}; "
                f"about {md_escape(row.estimated_fix_time)} to fix."
            )
            if pd.notna(row.concentration_dimension):
                evidence += (
                    f" Concentrated in {md_escape(row.concentration_dimension)} "
                    f"{md_escape(row.concentration_value)}: {row.concentration_error_share:.0%} "
                    f"of these errors vs {row.concentration_run_share:.0%} of runs."
                )
            st.caption(evidence)
    if len(rows) > 3:
        with st.expander(f"All {len(rows)} recommendations"):
            st.dataframe(
                rows,
                hide_index=True,
                column_order=[
                    "priority_rank",
                    "severity",
                    "issue",
                    "solution",
                    "error_count",
                    "estimated_fix_time",
                    "example_message",
                ],
                column_config={
                    "priority_rank": st.column_config.NumberColumn("Rank", width=60),
                    "severity": st.column_config.TextColumn("Severity", width=80),
                    "issue": st.column_config.TextColumn("Issue", width="medium"),
                    "solution": st.column_config.TextColumn("Do", width="large"),
                    "error_count": st.column_config.NumberColumn("Errors", format="localized"),
                    "estimated_fix_time": st.column_config.TextColumn("Time to fix"),
                    "example_message": st.column_config.TextColumn("Example message"),
                },
                key="recommendations",
            )


def per_day() -> None:
    errors = daily_errors(period)
    if errors.empty:
        st.caption("No run error in this period.")
        return
    by_category = errors.groupby("category")["error_count"].sum().sort_values()
    top, top_count = by_category.index[-1], int(by_category.iloc[-1])
    st.altair_chart(
        charts.stacked_daily_bars(
            errors,
            value="error_count",
            stack="category",
            title=f"{top} errors are the most common: {top_count:,} in the period",
            subtitle="Run errors per day, by catalog category (unknown: no catalog entry matched)",
            value_title="Errors",
        ),
        width="stretch",
    )


def phases() -> None:
    rows = phase_errors()
    if rows.empty:
        return
    worst = rows.loc[rows["failure_rate"].idxmax()]
    flagged = rows[rows["is_flagged"]]
    subtitle = (
        f"Flagged above {worst['flag_threshold']:.0%}: {', '.join(flagged['phase'])}"
        if not flagged.empty
        else f"No phase fails more than the {worst['flag_threshold']:.0%} flag threshold"
    )
    st.altair_chart(
        charts.horizontal_bars(
            rows.assign(severity=rows["is_flagged"].map({True: "high", False: "low"})),
            category="phase",
            value="failure_rate",
            title=(
                f"{worst['phase']} fails most: {worst['failure_rate']:.1%} of the runs that "
                "reach it"
            ),
            subtitle=subtitle + " (all data, pipeline order)",
            value_title="Runs reaching the phase that fail in it",
            value_format=".1%",
            sort=list(rows["phase"]),
        ),
        width="stretch",
    )


def unknown() -> None:
    st.subheader("Unknown errors, grouped")
    signatures = unknown_error_signatures()
    if signatures.empty:
        st.caption(
            "No unknown-error signatures: either every error matched the catalog, or the "
            "signatures have not been computed yet (`uv run failmap refresh` does)."
        )
        return
    st.dataframe(
        signatures,
        hide_index=True,
        column_config={
            "template": st.column_config.TextColumn("Message template", width="large"),
            "occurrence_count": st.column_config.NumberColumn("Times"),
            "run_count": st.column_config.NumberColumn("Runs"),
            "suggested_category": st.column_config.TextColumn("Looks like"),
            "top_phase": st.column_config.TextColumn("Phase"),
            "first_seen_at": st.column_config.DatetimeColumn("First", format="YYYY-MM-DD"),
            "last_seen_at": st.column_config.DatetimeColumn("Last", format="YYYY-MM-DD"),
        },
        key="signatures",
    )


def recent() -> None:
    st.subheader("Recent run errors")
    errors = recent_run_errors(period)
    if errors.empty:
        st.caption("No run error in this period.")
        return
    recovery = errors["is_recovery_succeeded"].map({True: "recovered", False: "failed"})
    st.dataframe(
        errors.assign(
            recovery=recovery.where(errors["is_recovery_attempted"].eq(True), "not tried").fillna(
                "unknown"
            )
        ),
        hide_index=True,
        # What a creator scans first; the run, matching and recovery flags are in the export.
        column_order=[
            "started_at",
            "workflow",
            "phase",
            "category",
            "message",
            "is_fatal",
            "recovery",
            "run_id",
        ],
        column_config={
            "started_at": st.column_config.DatetimeColumn("Started", format="YYYY-MM-DD HH:mm"),
            "workflow": st.column_config.TextColumn("Workflow", width=80),
            "phase": st.column_config.TextColumn("Phase", width=90),
            "category": st.column_config.TextColumn("Category", width=120),
            "message": st.column_config.TextColumn("Message", width=380),
            "is_fatal": st.column_config.CheckboxColumn("Fatal", width=50),
            "recovery": st.column_config.TextColumn("Recovery", width=80),
            "run_id": st.column_config.TextColumn("Run"),
            "match_type": st.column_config.TextColumn("Matched by"),
            "is_recovery_attempted": st.column_config.CheckboxColumn("Recovery tried"),
            "model": st.column_config.TextColumn("Model"),
            "error_code": st.column_config.TextColumn("Error code"),
        },
        key="run_errors",
    )


section("The error totals", totals)
section("The recommendations", recommendations)
st.subheader("Where runs fail")
section("Errors per day", per_day)
section("The phase breakdown", phases)
section("Unknown errors", unknown)
section("Recent run errors", recent)
