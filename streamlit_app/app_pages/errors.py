"""Errors: why generation jobs fail, what to fix first, from the error-analytics marts."""

import pandas as pd
import streamlit as st
from lib import charts
from lib.long_text import preview, selectable_table
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
from lib.tables import MESSAGE_WIDTH
from lib.text import md_escape

SEVERITY_BADGES = {"high": "red", "medium": "orange", "low": "gray"}
# Widths of the long text columns: with the other columns they fit at 1440 px; the selected
# row's whole text shows under its table.
TEMPLATE_WIDTH = 420
ISSUE_WIDTH = 290
SOLUTION_WIDTH = 310
RECOVERY_WORDS = {
    "recovered": "the run recovered from it.",
    "failed": "the run tried to recover and failed.",
    "not tried": "the run did not try to recover.",
    "unknown": "whether the run recovered is not known.",
}

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
    for row in rows.head(3).itertuples():
        recommendation_card(row)
    if len(rows) > 3:
        with st.expander(f"All {len(rows)} recommendations"):
            listed = rows.assign(
                issue_preview=rows["issue"].map(lambda text: preview(text, ISSUE_WIDTH)),
                solution_preview=rows["solution"].map(lambda text: preview(text, SOLUTION_WIDTH)),
            )
            chosen = selectable_table(
                listed,
                {
                    "priority_rank": st.column_config.NumberColumn("Rank", width=50),
                    "severity": st.column_config.TextColumn("Severity", width=70),
                    "issue_preview": st.column_config.TextColumn("Issue", width=ISSUE_WIDTH),
                    "error_count": st.column_config.NumberColumn(
                        "Errors", format="localized", width=60
                    ),
                    "estimated_fix_time": st.column_config.TextColumn("Time to fix", width=110),
                    "solution_preview": st.column_config.TextColumn(
                        "Do", width=SOLUTION_WIDTH, help="Select the row to read all of it."
                    ),
                },
                key="recommendations",
            )
            if chosen is None:
                st.caption("Select a recommendation to read it in full, with an example message.")
            else:
                recommendation_card(next(listed.loc[[chosen.name]].itertuples()), example=True)


def recommendation_card(row, example: bool = False) -> None:
    """One recommendation in full: the issue, why, what to do, the evidence (and an example)."""
    with st.container(border=True):
        st.markdown(
            f"**{int(row.priority_rank)}. {md_escape(row.issue)}** "
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
        if example and isinstance(row.example_message, str):
            st.caption("An example message:")
            st.code(row.example_message, language=None, wrap_lines=True)


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
    listed = signatures.assign(
        template_preview=signatures["template"].map(lambda text: preview(text, TEMPLATE_WIDTH)),
        # No catalog category close enough, or no phase logged: a dash, never "None".
        suggested_category=signatures["suggested_category"].fillna("–"),
        top_phase=signatures["top_phase"].fillna("–"),
    )
    chosen = selectable_table(
        listed,
        {
            "template_preview": st.column_config.TextColumn(
                "Message template",
                width=TEMPLATE_WIDTH,
                help="Select the row to read the whole template.",
            ),
            "occurrence_count": st.column_config.NumberColumn("Times", width=60),
            "run_count": st.column_config.NumberColumn("Runs", width=60),
            "suggested_category": st.column_config.TextColumn("Looks like", width=120),
            "top_phase": st.column_config.TextColumn("Phase", width=90),
            "first_seen_at": st.column_config.DatetimeColumn(
                "First", format="YYYY-MM-DD", width=95
            ),
            "last_seen_at": st.column_config.DatetimeColumn("Last", format="YYYY-MM-DD", width=95),
        },
        key="signatures",
    )
    if chosen is None:
        st.caption("Select a template to read all of it.")
        return
    with st.container(border=True, key="signature_detail"):
        st.caption(
            f"Seen {int(chosen['occurrence_count']):,} times in {int(chosen['run_count']):,} "
            "runs; the variable parts (numbers, paths, ids) are replaced by placeholders."
        )
        st.code(chosen["template"], language=None, wrap_lines=True)


def recent() -> None:
    st.subheader("Recent run errors")
    errors = recent_run_errors(period)
    if errors.empty:
        st.caption("No run error in this period.")
        return
    recovery = errors["is_recovery_succeeded"].map({True: "recovered", False: "failed"})
    listed = errors.assign(
        recovery=recovery.where(errors["is_recovery_attempted"].eq(True), "not tried").fillna(
            "unknown"
        ),
        message_preview=errors["message"].map(lambda text: preview(text, MESSAGE_WIDTH)),
    )
    chosen = selectable_table(
        listed,
        # What a creator scans first; the whole message and its run are under the table.
        {
            "started_at": st.column_config.DatetimeColumn(
                "Started", format="YYYY-MM-DD HH:mm", width=130
            ),
            "workflow": st.column_config.TextColumn("Workflow", width=75),
            "phase": st.column_config.TextColumn("Phase", width=90),
            "category": st.column_config.TextColumn("Category", width=125),
            "message_preview": st.column_config.TextColumn(
                "Message", width=MESSAGE_WIDTH, help="Select the row to read the whole message."
            ),
            "is_fatal": st.column_config.CheckboxColumn("Fatal", width=50),
            "recovery": st.column_config.TextColumn("Recovery", width=80),
        },
        key="run_errors",
    )
    if chosen is None:
        st.caption("Select an error to read its whole message and the run it came from.")
        return
    with st.container(border=True, key="run_error_detail"):
        st.caption(run_error_context(chosen))
        st.code(chosen["message"] or "(no message logged)", language=None, wrap_lines=True)


def run_error_context(error: pd.Series) -> str:
    """Where the selected error came from, in words (markdown-safe)."""
    parts = [f"Run {md_escape(error['run_id'])}, started {error['started_at']:%Y-%m-%d %H:%M} UTC"]
    for name, column in (("workflow", "workflow"), ("model", "model"), ("phase", "phase")):
        if isinstance(error[column], str):
            parts.append(f"{name} {md_escape(error[column])}")
    if isinstance(error["error_code"], str):
        parts.append(f"error code {md_escape(error['error_code'])}")
    matched = (
        "matched a catalog entry"
        if error["match_type"] == "catalog"
        else "matched no catalog entry (grouped by its signature)"
    )
    return f"{', '.join(parts)}; {matched}; {RECOVERY_WORDS.get(error['recovery'], '')}"


section("The error totals", totals)
section("The recommendations", recommendations)
st.subheader("Where runs fail")
section("Errors per day", per_day)
section("The phase breakdown", phases)
section("Unknown errors", unknown)
section("Recent run errors", recent)
