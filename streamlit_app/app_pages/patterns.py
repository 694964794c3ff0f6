"""Patterns: the surfaced failure patterns, filterable; one pattern's failing segments and fixes."""

import streamlit as st
from lib.dimensions import DIMENSIONS, label
from lib.fix_form import fix_form, fixes_table
from lib.notices import show_missing
from lib.page import page_context, period_caption
from lib.queries import MartMissing, failure_patterns, pattern_occurrences
from lib.tables import PATTERN_LABEL_WIDTH, SEGMENT_COLUMNS, SEGMENT_ORDER, pattern_label
from lib.text import md_escape

TABLE_KEY = "patterns_table"
TABLE_COLUMNS = [
    "severity",
    "label",
    "failure_percent",
    "baseline_percent",
    "total_count",
    "period_failure_count",
    "fix_count",
]
DIMENSION_COLUMNS = [f"dimension_{dimension}" for dimension in DIMENSIONS]

st.title("Patterns")
context = page_context()
period = context.period
period_caption(
    period,
    "Rates, intervals and severity cover all data; failures in period count the "
    "pattern's failing segments evaluated in the period.",
)
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

shown = patterns[patterns["severity"].isin(severities) & (patterns["total_count"] >= min_support)]
if dimension:
    column = shown[f"dimension_{dimension}"]
    shown = shown[column == value] if value else shown[column.notna()]
if only_period:
    shown = shown[shown["period_failure_count"] > 0]
if shown.empty:
    st.info("No pattern matches these filters. Widen them, or pick a longer period.")
    st.stop()
shown = shown.reset_index(drop=True).assign(
    label=lambda rows: rows["pattern_key"].map(pattern_label),
    failure_percent=lambda rows: rows["failure_rate"] * 100,  # display only: "30%"
    baseline_percent=lambda rows: rows["baseline_rate"] * 100,
    interval=lambda rows: [
        f"{low:.0%} – {high:.0%}"
        for low, high in zip(rows["failure_rate_lower"], rows["failure_rate_upper"], strict=True)
    ],
)

st.caption(
    f"{len(shown)} of {len(patterns)} patterns, by excess failures. Select a row to see its "
    "failing segments and fixes."
)
event = st.dataframe(
    # The shown columns and the key only: other mart columns hold objects Arrow cannot send.
    shown[[*TABLE_COLUMNS, "pattern_key", *DIMENSION_COLUMNS]],
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key=TABLE_KEY,
    # The key columns fit at 1440 px; the description, interval and dates are in the detail.
    column_order=TABLE_COLUMNS,
    column_config={
        "severity": st.column_config.TextColumn("Severity", width=80),
        "label": st.column_config.TextColumn("Pattern", width=PATTERN_LABEL_WIDTH),
        "failure_percent": st.column_config.ProgressColumn(
            "Failure rate", format="%.0f%%", min_value=0, max_value=100, width=110
        ),
        "baseline_percent": st.column_config.NumberColumn(
            "Baseline",
            format="%.0f%%",
            help="Failure rate of every other segment (lower than the overall rate, which "
            "includes the pattern's own failures)",
        ),
        "total_count": st.column_config.NumberColumn("Segments", format="localized"),
        "period_failure_count": st.column_config.NumberColumn(
            "Failures in period", format="localized"
        ),
        "fix_count": st.column_config.NumberColumn("Fixes", format="%d"),
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
key = selected["pattern_key"]

# --- one pattern --------------------------------------------------------------------------------
st.divider()
st.subheader(md_escape(pattern_label(key)))
st.markdown(md_escape(selected["description"]))
columns = st.columns(5)
columns[0].metric(
    "Failure rate",
    f"{selected['failure_rate']:.0%}",
    help=f"95% interval {selected['interval']}",
    border=True,
)
columns[1].metric(
    "Baseline",
    f"{selected['baseline_rate']:.0%}",
    help="Failure rate of every segment outside the pattern",
    border=True,
)
columns[2].metric(
    "Segments",
    f"{int(selected['total_count']):,}",
    help=f"{int(selected['failure_count']):,} failed",
    border=True,
)
columns[3].metric(
    "Excess failures",
    f"{selected['impact']:,.0f}",
    help="Failures above what the baseline rate predicts",
    border=True,
)
columns[4].metric("Severity", selected["severity"], border=True)
aliases = [alias for alias in selected["aliases"] if alias]
st.caption(
    f"First detected {selected['first_detected_at']:%Y-%m-%d}; last failing segment "
    f"{selected['last_occurrence']:%Y-%m-%d %H:%M} UTC."
    + (
        f" Same segments as: {md_escape(', '.join(pattern_label(a) for a in aliases))}."
        if aliases
        else ""
    )
)

# Fixes first (what to do about it), then the evidence at full width so its columns fit.
fixes_column, form_column = st.columns(2, gap="large")
with fixes_column:
    st.markdown("**Fixes**")
    fixes_table(key)
with form_column:
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
        st.dataframe(
            occurrences,
            hide_index=True,
            column_config=SEGMENT_COLUMNS,
            column_order=[c for c in SEGMENT_ORDER if c in occurrences.columns],
            key="occurrences",
        )
