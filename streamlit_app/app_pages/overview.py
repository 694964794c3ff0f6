"""Overview: how much failed in the period, which patterns cost most, how current the data is."""

import streamlit as st
from lib import charts
from lib.days import day_text
from lib.notices import show_missing, show_stale_data
from lib.numbers import compact_count
from lib.page import page_context, period_caption
from lib.pattern_status import STATUS_HELP, WEEK_DAYS, current, status_labels, week_changes
from lib.queries import (
    MartMissing,
    change_events,
    failure_patterns,
    period_volume,
    quarantined_rows_in_period,
)
from lib.rates import rate_text
from lib.tables import BASELINE_COLUMN, NOW_COLUMN, PATTERN_LABEL_WIDTH, pattern_label
from lib.text import md_escape

# Columns of the top-patterns table taken as they are from the mart.
SHOWN_COUNTS = ["period_failure_count", "fix_count", "first_detected_at"]
OVERVIEW_COLUMNS = ["severity", "status_label", "label", *SHOWN_COUNTS]

st.title("Overview")
context = page_context()
period, freshness = context.period, context.freshness
period_caption(period)
show_stale_data(freshness)

# --- KPIs ---------------------------------------------------------------------------------------
try:
    volume = period_volume(period)
    segments, failed = int(volume["segment_count"]), int(volume["failed_segment_count"])
    volume_note = "Segments evaluated in the period."
except MartMissing:
    segments, failed = int(freshness["segment_count"]), int(freshness["failed_segment_count"])
    volume_note = (
        "All data: counts for the chosen period need marts.daily_failure_trends (trend tracking)."
    )
try:
    all_patterns = failure_patterns(period)
except MartMissing as error:
    all_patterns = patterns = None
    patterns_error = error
else:
    # Issue 12: what costs failures now; resolved patterns only count as "resolved this week".
    patterns = current(all_patterns).reset_index(drop=True)

columns = st.columns(6)
columns[0].metric(
    "Segments", compact_count(segments), help=f"{segments:,} segments. {volume_note}", border=True
)
columns[1].metric(
    "Failure rate",
    f"{failed / segments:.1%}" if segments else "–",
    help=f"{failed:,} failed segments (any failed check). {volume_note}",
    border=True,
)
if patterns is not None:
    by_severity = patterns["severity"].value_counts()
    columns[2].metric(
        "Patterns now",
        len(patterns),
        help=" · ".join(f"{by_severity.get(s, 0)} {s}" for s in ("high", "medium", "low"))
        + " (emerging or active; inactive and resolved ones left out)",
        border=True,
    )
    # Counted from the rows the table below lists (fixes read live), so the metric and the
    # Fixes column agree the moment a fix is recorded; marts.kpis only changes at a refresh.
    with_fix, of = int((patterns["fix_count"] > 0).sum()), len(patterns)
    columns[4].metric(
        "With a fix",
        f"{with_fix} of {of}",
        help="Current patterns with at least one recorded fix, as of now.",
        border=True,
    )
else:
    columns[2].metric("Patterns", "–", border=True)
    columns[4].metric("With a fix", "–", border=True)
try:
    regressions = change_events(period)
    open_regressions = int((regressions["verdict"] == "regression").sum())
    columns[3].metric(
        "Regressions",
        open_regressions,
        help="Workflow or model version changes in the period judged a regression.",
        border=True,
    )
except MartMissing:
    columns[3].metric(
        "Regressions", "–", help="Needs marts.change_events (trend tracking).", border=True
    )
try:
    quarantined = quarantined_rows_in_period(period)
    columns[5].metric(
        "Quarantined",
        compact_count(quarantined),
        help=f"{quarantined:,} input rows that broke the data contract, from files loaded in "
        "the period.",
        border=True,
    )
except MartMissing:
    columns[5].metric(
        "Quarantined",
        compact_count(int(freshness["rows_quarantined_count"])),
        help=f"{int(freshness['rows_quarantined_count']):,} rows, all data (the ingest ledger "
        "is not readable here).",
        border=True,
    )

# --- new and resolved this week (issue 12) ------------------------------------------------------
if all_patterns is not None and freshness["last_evaluated_at"] is not None:
    last_day = freshness["last_evaluated_at"].date()
    new, back, resolved = week_changes(all_patterns, last_day)
    week = f"the {WEEK_DAYS} days to {day_text(last_day)} (the data's last day)"
    week_columns = st.columns(2)
    week_columns[0].metric(
        "New this week",
        len(new),
        help=f"Patterns that started failing above their baseline in {week}; patterns back "
        "after a fall of their own are not new (listed below as back).",
        border=True,
    )
    week_columns[1].metric(
        "Resolved this week",
        len(resolved),
        help=f"Patterns back at their baseline since a day in {week}.",
        border=True,
    )
    for title, rows in (
        ("New this week", new),
        ("Back this week", back),
        ("Resolved this week", resolved),
    ):
        if not rows.empty:
            st.caption(
                f"**{title}:** "
                + md_escape(
                    "; ".join(
                        f"{pattern_label(key)} ({label})"
                        for key, label in zip(
                            rows["pattern_key"], status_labels(rows, explained=True), strict=True
                        )
                    )
                )
            )
# --- end new and resolved this week ---------------------------------------------------------------

if patterns is not None and not patterns.empty:
    high = patterns[patterns["severity"] == "high"]
    if not high.empty:
        # What each fails at now, which its severity follows: the description's rates cover its
        # history (a pattern high since Dec 01 read "13% vs 7% baseline" while failing 41%).
        shown_high = high.head(3)
        st.error(
            f"**{len(high)} high-severity pattern{'s' if len(high) > 1 else ''}:** "
            + md_escape(
                "; ".join(
                    f"{pattern_label(key)} fails {rate_text(now)} now ({label})"
                    for key, now, label in zip(
                        shown_high["pattern_key"],
                        shown_high["current_failure_rate"],
                        status_labels(shown_high),
                        strict=True,
                    )
                )
            )
            + (f"; and {len(high) - len(shown_high)} more (Patterns)" if len(high) > 3 else ""),
            icon=":material/warning:",
        )

# --- top patterns -------------------------------------------------------------------------------
st.subheader("Where the failures come from")
if patterns is None:
    show_missing(patterns_error, "The top patterns")
elif patterns.empty and all_patterns is not None and not all_patterns.empty:
    by_status = all_patterns["status"].value_counts()
    st.success(
        f"No current pattern: of the {len(all_patterns)} surfaced patterns, "
        f"{by_status.get('inactive', 0)} are inactive (none of their segments lately) and "
        f"{by_status.get('resolved', 0)} resolved.",
        icon=":material/check_circle:",
    )
elif patterns.empty:
    st.success(
        "No failure pattern surfaced: no combination of workflow, model, LoRA, character, scene "
        "type and segment position fails significantly more than the rest.",
        icon=":material/check_circle:",
    )
else:
    top = patterns.head(8).assign(
        label=lambda rows: rows["pattern_key"].map(pattern_label),
        status_label=status_labels,
    )
    first = top.iloc[0]
    st.altair_chart(
        charts.horizontal_bars(
            top[["label", "impact", "severity"]].assign(impact=top["impact"].round()),
            category="label",
            value="impact",
            title=(
                f"{first['label']} costs the most: {first['impact']:,.0f} failures more "
                f"than its baseline predicts"
            ),
            subtitle=(
                "Excess failures over the baseline rate, by pattern (over all data; a pattern "
                "found only in a recent window, over that window)"
            ),
            value_title="Excess failed segments",
            severity="severity",
        ),
        width="stretch",
    )
    st.dataframe(
        # Only the columns shown (and the key): other mart columns hold objects Arrow cannot send.
        top[[*OVERVIEW_COLUMNS, "pattern_key", "current_failure_rate", "baseline_rate"]].assign(
            now_percent=top["current_failure_rate"] * 100,
            baseline_percent=top["baseline_rate"] * 100,
        ),
        hide_index=True,
        column_order=[
            "severity",
            "status_label",
            "label",
            "now_percent",
            "baseline_percent",
            *SHOWN_COUNTS,
        ],
        column_config={
            "severity": st.column_config.TextColumn("Severity", width=70),
            "status_label": st.column_config.TextColumn("Status", width=150, help=STATUS_HELP),
            "label": st.column_config.TextColumn("Pattern", width=PATTERN_LABEL_WIDTH),
            "now_percent": NOW_COLUMN,
            "baseline_percent": BASELINE_COLUMN,
            "period_failure_count": st.column_config.NumberColumn(
                "Failures",
                format="%d",
                width=75,
                help="The pattern's failing segments evaluated in the period",
            ),
            "fix_count": st.column_config.NumberColumn("Fixes", format="%d", width=50),
            "first_detected_at": st.column_config.DatetimeColumn(
                "First detected", format="YYYY-MM-DD", width=110
            ),
        },
    )
    inactive = all_patterns["status"].eq("inactive").sum() if all_patterns is not None else 0
    if inactive:
        st.caption(
            f"{inactive} inactive pattern{'s' if inactive > 1 else ''} left out: none of "
            f"{'their' if inactive > 1 else 'its'} segments lately, so not failing now, though "
            "not known to be fixed (the Patterns page lists them under Inactive)."
        )
    st.page_link(
        "app_pages/patterns.py",
        label="All patterns, their segments and fixes",
        icon=":material/arrow_forward:",
    )

# --- freshness ----------------------------------------------------------------------------------
st.subheader("Data freshness")
last_file = freshness["last_file_loaded_at"]
st.markdown(
    f"- Marts rebuilt **{freshness['refreshed_at']:%Y-%m-%d %H:%M} UTC**\n"
    f"- Last file loaded **{last_file:%Y-%m-%d %H:%M} UTC**\n"
    f"- Segments evaluated from **{freshness['first_evaluated_at']:%Y-%m-%d}** to "
    f"**{freshness['last_evaluated_at']:%Y-%m-%d}**\n"
    f"- {int(freshness['files_loaded_count']):,} files loaded, "
    f"{int(freshness['files_rejected_count']):,} rejected, "
    f"{int(freshness['rows_loaded_count']):,} rows"
    if last_file is not None
    else "No file has been loaded yet."
)

st.caption(
    "Documentation: [every model and column (dbt docs)](http://127.0.0.1:8080/dbt/) · "
    "[data-quality results (Great Expectations)](http://127.0.0.1:8080/gx/). These links open "
    "only while `uv run failmap docs` runs in a terminal (it builds and serves both on port "
    "8080); `failmap up` does not start it."
)
