"""Patterns: the surfaced failure patterns, filterable; one pattern's failing segments and fixes."""

import pandas as pd
import streamlit as st
from lib.days import day_text
from lib.dimensions import DIMENSIONS, label
from lib.fix_form import fix_form, fixes_table
from lib.long_text import preview, selectable_table
from lib.notices import show_missing, show_stale_data
from lib.page import page_context, period_caption
from lib.pattern_status import (
    CURRENT,
    STATUS_COLORS,
    STATUS_HELP,
    STATUS_ICONS,
    STATUS_NAMES,
    STATUSES,
    children,
    shares_frame,
    shares_text,
    sparkline,
    status_labels,
    status_text,
    top_level,
)
from lib.queries import (
    MartMissing,
    failure_patterns,
    pattern_daily_rates,
    pattern_fixes,
    pattern_occurrences,
)
from lib.rates import now_text, rate_text, window_text
from lib.tables import (
    BASELINE_COLUMN,
    NOW_COLUMN,
    PATTERN_LABEL_WIDTH,
    pattern_label,
    segments_table,
)
from lib.text import md_escape

TABLE_KEY = "patterns_table"
TABLE_COLUMNS = [
    "severity",
    "status_label",
    "label",
    "now_percent",
    "baseline_percent",
    "total_count",
    "period_failure_count",
    "fix_count",
    "refinement_count",
    "reasons",
]
# What the list shows of TABLE_COLUMNS, in this order: at 1440 px these fill the page's width.
SHOWN_COLUMNS = [
    "severity",
    "status_label",
    "label",
    "now_percent",
    "baseline_percent",
    "period_failure_count",
    "fix_count",
    "refinement_count",
]
REFINEMENT_REASONS_WIDTH = 280
DIMENSION_COLUMNS = [f"dimension_{dimension}" for dimension in DIMENSIONS]

st.title("Patterns")
context = page_context()
period = context.period
period_caption(
    period,
    "Now is each pattern's failure rate since its latest change (the date in its status), which "
    "its severity follows; baseline, intervals and excess failures cover all data (a pattern "
    "found only in a recent window: that window); failures in period count the pattern's "
    "failing segments evaluated in the period.",
)
show_stale_data(context.freshness)
try:
    patterns = failure_patterns(period)
except MartMissing as error:
    show_missing(error, "The pattern list")
    st.stop()
if patterns.empty:
    st.success(
        "No failure pattern surfaced: no combination of workflow, model, LoRA, character, scene "
        "type and segment position fails significantly more than the rest of the data.",
        icon=":material/check_circle:",
    )
    st.stop()

# --- filters ------------------------------------------------------------------------------------
with st.container(horizontal=True, vertical_alignment="bottom"):
    statuses = st.pills(
        "Status",
        list(STATUSES),
        selection_mode="multi",
        default=list(CURRENT),
        format_func=lambda s: STATUS_NAMES[s],
        key="status",
        help=f"{STATUS_HELP} Inactive and resolved patterns are listed only when chosen here.",
    )
    severities = st.pills(
        "Severity",
        ["high", "medium", "low"],
        selection_mode="multi",
        default=["high", "medium", "low"],
        key="severity",
    )
    dimension = st.selectbox(
        "Dimension",
        ["", *DIMENSIONS],
        format_func=lambda d: label(d) if d else "Any",
        key="dimension",
    )
    values = sorted(patterns[f"dimension_{dimension}"].dropna().unique()) if dimension else []
    value = st.selectbox(
        "Value",
        ["", *values],
        format_func=lambda v: v or "Any",
        disabled=not dimension,
        key="dimension_value",
    )
    min_support = st.number_input(
        "Minimum segments",
        min_value=0,
        value=0,
        step=10,
        key="min_support",
        help="Hide patterns seen on fewer segments than this.",
    )
    only_period = st.toggle("Only patterns failing in the period", value=True, key="only_period")

shown = patterns[
    patterns["severity"].isin(severities)
    & (patterns["total_count"] >= min_support)
    & patterns["status"].isin(statuses)
]
if dimension:
    column = shown[f"dimension_{dimension}"]
    shown = shown[column == value] if value else shown[column.notna()]
if only_period:
    shown = shown[shown["period_failure_count"] > 0]
if shown.empty:
    st.info("No pattern matches these filters. Widen them, or pick a longer period.")
    st.stop()
# --- status and refinements (issues 12, 13) -----------------------------------------------------
# Every filtered pattern, worded for the tables; the list shows the top-level ones (by impact)
# and a selected pattern's refinements are listed under it.
filtered = shown.assign(
    label=lambda rows: rows["pattern_key"].map(pattern_label),
    status_label=status_labels,
    reasons=lambda rows: rows["top_failure_reasons"].map(shares_text),
    refinement_count=lambda rows: (
        rows["pattern_key"].map(rows["parent_pattern_key"].value_counts()).fillna(0).astype("int64")
    ),
)
shown = top_level(filtered)
# --- end status and refinements -----------------------------------------------------------------
shown = shown.reset_index(drop=True).assign(
    label=lambda rows: rows["pattern_key"].map(pattern_label),
    now_percent=lambda rows: rows["current_failure_rate"] * 100,  # display only: "30%"
    baseline_percent=lambda rows: rows["baseline_rate"] * 100,
    interval=lambda rows: [
        f"{rate_text(low)} – {rate_text(high)}"
        for low, high in zip(rows["failure_rate_lower"], rows["failure_rate_upper"], strict=True)
    ],
)

st.caption(
    f"{len(shown)} of {len(patterns)} patterns, by excess failures"
    + (
        f" ({len(filtered) - len(shown)} more refine them: select one to see its refinements)"
        if len(filtered) > len(shown)
        else ""
    )
    + ". Select a row to see its failing segments and fixes."
)
event = st.dataframe(
    # The shown columns and the key only: other mart columns hold objects Arrow cannot send.
    shown[[*TABLE_COLUMNS, "pattern_key", *DIMENSION_COLUMNS]],
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key=TABLE_KEY,
    # Every shown column fits at 1440 px; segments, reasons, the description, interval and dates
    # are in the selected pattern's detail.
    column_order=SHOWN_COLUMNS,
    column_config={
        "severity": st.column_config.TextColumn("Severity", width=70),
        "status_label": st.column_config.TextColumn("Status", width=150, help=STATUS_HELP),
        "refinement_count": st.column_config.NumberColumn(
            "Refinements",
            format="%d",
            width=90,
            help="Narrower patterns inside this one; select the row to list them.",
        ),
        "label": st.column_config.TextColumn("Pattern", width=PATTERN_LABEL_WIDTH),
        "now_percent": NOW_COLUMN,
        "baseline_percent": BASELINE_COLUMN,
        "period_failure_count": st.column_config.NumberColumn(
            "Failures",
            format="localized",
            width=70,
            help="The pattern's failing segments evaluated in the period",
        ),
        "fix_count": st.column_config.NumberColumn("Fixes", format="%d", width=50),
    },
)
rows = event["selection"]["rows"] if event else []
if rows and rows[0] < len(shown):
    selected = shown.iloc[rows[0]]
elif len(shown) == 1:  # one pattern listed: nothing to choose between
    selected = shown.iloc[0]
else:
    st.info(
        "Select a pattern (the box at the start of its row) to see its failing segments, its "
        "fixes and to record one.",
        icon=":material/touch_app:",
    )
    st.stop()
# --- refinements of the selected pattern (issue 13) ----------------------------------------------
refinements = children(filtered, selected["pattern_key"]).reset_index(drop=True)
if not refinements.empty:
    st.markdown(
        f"**Refinements of {md_escape(pattern_label(selected['pattern_key']))}** "
        f"({len(refinements)}): narrower patterns inside it. Select one to see it instead."
    )
    child = selectable_table(
        refinements.assign(
            now_percent=refinements["current_failure_rate"] * 100,
            reasons_preview=refinements["reasons"].map(
                lambda text: preview(text, REFINEMENT_REASONS_WIDTH)
            ),
        ),
        {
            "severity": st.column_config.TextColumn("Severity", width=70),
            "status_label": st.column_config.TextColumn("Status", width=150),
            "label": st.column_config.TextColumn("Pattern", width=PATTERN_LABEL_WIDTH),
            "now_percent": NOW_COLUMN,
            "reasons_preview": st.column_config.TextColumn(
                "Top failure reasons",
                width=REFINEMENT_REASONS_WIDTH,
                help="Select the row to see every reason with its share.",
            ),
        },
        key="refinements_table",
    )
    if child is not None:  # the index is 0..n-1 (reset above): the same row of refinements
        selected = refinements.loc[child.name].copy()
        selected["interval"] = (
            f"{rate_text(selected['failure_rate_lower'])} – "
            f"{rate_text(selected['failure_rate_upper'])}"
        )
# --- end refinements ------------------------------------------------------------------------------
key = selected["pattern_key"]

# --- one pattern --------------------------------------------------------------------------------
st.divider()
st.subheader(md_escape(pattern_label(key)))
# Status badge (issue 12): what the pattern does now, since when; a resolved one names its fix.
st.badge(
    status_text(
        selected["status"],
        selected["status_since"],
        explained=True,
        returned_after=selected["returned_after"],
    ),
    icon=STATUS_ICONS[selected["status"]],
    color=STATUS_COLORS[selected["status"]],
)
st.markdown(md_escape(selected["description"]))
if selected["status"] == "inactive":
    st.caption(
        "It does not fail now, and nothing says it is fixed: none of its segments were "
        "generated lately. Checking a configuration in it still warns."
    )
if selected["status"] == "resolved":
    fix_id = selected["resolved_by_fix_id"]
    if fix_id is None or pd.isna(fix_id):
        st.caption("Resolved with no recorded fix credited: it fell back to its baseline.")
    else:
        try:
            fixes = pattern_fixes()
            credited = fixes[fixes["fix_id"] == int(fix_id)]
        except MartMissing:
            credited = fixes = None
        if credited is not None and not credited.empty:
            fix = credited.iloc[0]
            st.success(
                f"Resolved since {day_text(selected['status_since'])}, credited to "
                f"fix #{int(fix_id)}: {md_escape(fix['fix_description'])} (recorded "
                f"{fix['created_at']:%Y-%m-%d} by {md_escape(fix['reported_by'])}).",
                icon=":material/build:",
            )
        else:
            st.success(f"Resolved, credited to fix #{int(fix_id)}.", icon=":material/build:")
        changes = list(selected["credited_fix_explained_by"])
        if changes:
            st.warning(
                "Near the fix, "
                + ("a version change" if len(changes) == 1 else "version changes")
                + " of what this pattern ran on "
                + ("was" if len(changes) == 1 else "were")
                + " judged an improvement and account for the fall (without their segments "
                "it hardly fell): "
                + ", ".join(md_escape(change) for change in changes)
                + ". Unless the fix was that change, the fall may be theirs (Trends shows "
                "each change).",
                icon=":material/compare_arrows:",
            )
now = now_text(selected["current_failure_rate"], selected["current_segment_count"])
columns = st.columns(6)
columns[0].metric(
    "Now",
    rate_text(selected["current_failure_rate"]),
    help=f"{now} Its severity follows it.",
    border=True,
)
window = window_text(selected["window_starts_on"])
columns[1].metric(
    f"Over {'its window' if window else 'all data'}",
    rate_text(selected["failure_rate"]),
    help=f"{window or 'Its whole history'}; 95% interval {selected['interval']}",
    border=True,
)
columns[2].metric(
    "Baseline",
    rate_text(selected["baseline_rate"]),
    help="Failure rate of every segment outside the pattern, "
    + ("in the same window" if window else "over all data"),
    border=True,
)
columns[3].metric(
    "Segments",
    f"{int(selected['total_count']):,}",
    help=f"{int(selected['failure_count']):,} failed",
    border=True,
)
columns[4].metric(
    "Excess failures",
    f"{selected['impact']:,.0f}",
    help="Failures above what the baseline rate predicts, "
    + ("in its window" if window else "over all data"),
    border=True,
)
columns[5].metric(
    "Severity",
    selected["severity"],
    help="From its rate now, not its whole history",
    border=True,
)
aliases = [alias for alias in selected["aliases"] if alias]
st.caption(
    (f"{now} " if now else "")
    + f"First detected {selected['first_detected_at']:%Y-%m-%d}; last failing segment "
    f"{selected['last_occurrence']:%Y-%m-%d %H:%M} UTC."
    + (
        f" Same segments as: {md_escape(', '.join(pattern_label(a) for a in aliases))}."
        if aliases
        else ""
    )
)

# --- reasons, checks and daily rate (issues 12, 13) ---------------------------------------------
# The reasons are sentences: they get the wider side, and the daily rate the full width below.
reasons_column, checks_column = st.columns([3, 2], gap="medium")
for column, cell, what, title, width in (
    (reasons_column, selected["top_failure_reasons"], "reason", "Top failure reasons", 420),
    (checks_column, selected["top_failing_checks"], "check", "Top failing checks", 220),
):
    with column:
        table = shares_frame(cell, what)
        st.markdown(f"**{title}**")
        if table.empty:
            st.caption("None recorded for its failed segments.")
        else:
            st.dataframe(
                table,
                hide_index=True,
                column_config={
                    what: st.column_config.TextColumn(what.capitalize(), width=width),
                    "share_percent": st.column_config.ProgressColumn(
                        "Share of failures",
                        format="%.1f%%",
                        min_value=0,
                        max_value=100,
                        width=130,
                    ),
                },
            )
st.markdown("**Daily failure rate in the period**")
try:
    days = pattern_daily_rates(key, period)
except MartMissing as error:
    show_missing(error, "The daily rate")
else:
    if days.empty:
        st.caption("No segment of this pattern in the period.")
    else:
        st.altair_chart(sparkline(days), width="stretch")
# --- end reasons, checks and daily rate ----------------------------------------------------------

# Fixes first (what to do about it), each at full width so their text fits, then the evidence.
st.markdown("**Fixes**")
fixes_table(key)
fix_form(key)

st.markdown(f"**Failing segments in the period** ({int(selected['period_failure_count']):,})")
try:
    occurrences = pattern_occurrences(key, period)
except MartMissing as error:
    show_missing(error, "The failing segments")
else:
    if occurrences.empty:
        st.caption("No failing segment in this period.")
    else:
        segments_table(occurrences, key="occurrences")
