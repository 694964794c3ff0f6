"""How tables of the marts are shown: column labels, formats and the failing-segments table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.dimensions import DIMENSIONS, label
from lib.long_text import joined, preview, selectable_table
from lib.text import md_escape

# Widths of a failing segment's text columns: with the time and the segment they fit at
# 1440 px; the selected segment's checks and reasons are listed in full under the table.
CHECKS_WIDTH = 200
REASONS_WIDTH = 330

# Order of a failing segment's columns: what failed first, then where it came from.
SEGMENT_ORDER = [
    "evaluated_at",
    "checks_preview",
    "reasons_preview",
    "segment_id",
    *DIMENSIONS,
    "job_id",
    "scene_id",
]

# Columns of a failing segment (pattern_occurrences, the heatmap drill-down).
SEGMENT_COLUMNS = {
    "evaluated_at": st.column_config.DatetimeColumn(
        "Evaluated", format="YYYY-MM-DD HH:mm", width=130
    ),
    "job_id": st.column_config.TextColumn("Job"),
    "scene_id": st.column_config.TextColumn("Scene"),
    **{
        d: st.column_config.TextColumn(label(d), width="small")
        for d in DIMENSIONS
        if d != "segment_position"
    },
    "segment_position": st.column_config.NumberColumn("Position", width="small"),
    "checks_preview": st.column_config.TextColumn("Failed checks", width=CHECKS_WIDTH),
    "reasons_preview": st.column_config.TextColumn(
        "Reasons", width=REASONS_WIDTH, help="Select the row to read every reason in full."
    ),
    "segment_id": st.column_config.TextColumn("Segment", width=190),
}


def segments_table(segments: pd.DataFrame, key: str) -> None:
    """Failing segments, one line each; the selected one's checks and reasons in full below."""
    frame = segments.assign(
        checks_preview=segments["failed_checks"].map(
            lambda checks: preview(joined(checks, ", "), CHECKS_WIDTH)
        ),
        reasons_preview=segments["failure_reasons"].map(
            lambda reasons: preview(joined(reasons), REASONS_WIDTH)
        ),
    )
    segment = selectable_table(
        frame,
        SEGMENT_COLUMNS,
        key=key,
        order=[c for c in SEGMENT_ORDER if c in frame.columns],
    )
    if segment is None:
        st.caption("Select a segment to read all of its failed checks and reasons.")
        return
    with st.container(border=True, key=f"{key}_detail"):
        st.caption(
            f"Segment {md_escape(segment['segment_id'])}, evaluated "
            f"{segment['evaluated_at']:%Y-%m-%d %H:%M} UTC. Failed checks: "
            f"{md_escape(joined(segment['failed_checks'], ', ')) or 'none recorded'}."
        )
        st.text(joined(segment["failure_reasons"], "\n") or "No reason recorded.")


# Width of the Errors page's message column (beside the time, workflow, phase, category and
# outcome it fills the width at 1440 px); tests/browser measures its previews against it.
MESSAGE_WIDTH = 390


# Pixel width of the key column of the pattern tables: a pattern of three dimensions
# ("LoRA l07 + Character c12 + Segment position 6+") fits on one line at 1440 px; the full
# description is in the pattern's detail view. tests/browser measures rendered labels against it.
PATTERN_LABEL_WIDTH = 340


# What a pattern fails at now, the first rate of the Overview's and the Patterns page's tables:
# a list of what fails now ranks and reads by it (severity follows it), and a whole-history rate
# there read 41% for a pattern failing 21% since August and 13% for one failing 39% since
# Dec 01. The rate over all data is in the selected pattern's detail.
NOW_COLUMN = st.column_config.ProgressColumn(
    "Now",
    format="%.1f%%",
    min_value=0,
    max_value=100,
    width=90,
    help="Its failure rate since its latest change (the date in Status), which its severity "
    "follows; a pattern without a change in its daily series, over all its segments",
)

# A pattern's baseline beside its failure rate (the Overview's and the Patterns page's tables).
BASELINE_COLUMN = st.column_config.NumberColumn(
    "Baseline",
    format="%.1f%%",
    width=70,
    help="Failure rate of every other segment (lower than the overall rate, which "
    "includes the pattern's own failures)",
)


def pattern_label(pattern_key: str) -> str:
    """'lora=l07|character=c12' -> 'LoRA l07 + Character c12' (the key's pairs, readable)."""
    parts = []
    for pair in pattern_key.split("|"):
        dimension, _, value = pair.partition("=")
        parts.append(f"{label(dimension)} {value}")
    return " + ".join(parts)
