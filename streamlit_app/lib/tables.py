"""How tables of the marts are shown: column labels and formats shared by the pages."""

from __future__ import annotations

import streamlit as st

from lib.dimensions import DIMENSIONS, label

# Order of a failing segment's columns: what failed first, then where it came from.
SEGMENT_ORDER = [
    "evaluated_at",
    "failed_checks",
    "failure_reasons",
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
    "failed_checks": st.column_config.ListColumn("Failed checks", width=180),
    "failure_reasons": st.column_config.ListColumn("Reasons", width=360),
    "segment_id": st.column_config.TextColumn("Segment", width="medium"),
}


# Pixel width of the key column of the pattern tables: a pattern of three dimensions
# ("LoRA l07 + Character c12 + Segment position 6+") fits on one line at 1440 px; the full
# description is in the pattern's detail view. tests/browser measures rendered labels against it.
PATTERN_LABEL_WIDTH = 340


def pattern_label(pattern_key: str) -> str:
    """'lora=l07|character=c12' -> 'LoRA l07 + Character c12' (the key's pairs, readable)."""
    parts = []
    for pair in pattern_key.split("|"):
        dimension, _, value = pair.partition("=")
        parts.append(f"{label(dimension)} {value}")
    return " + ".join(parts)
