"""Heatmaps: failure rate of every pair of values of two dimensions; click a cell to drill down."""

from typing import Any

import streamlit as st
from lib import charts
from lib.dimensions import DIMENSIONS, describe_cell, label
from lib.findings import covering_pattern, heatmap_title
from lib.map_axes import varied_axes
from lib.notices import show_missing
from lib.page import page_context, period_caption
from lib.queries import (
    MartMissing,
    cell_failing_segments,
    dimension_values,
    failure_heatmap,
    failure_patterns,
)
from lib.tables import pattern_label, segments_table
from lib.text import md_escape

# The two maps the page opens with (columns x rows): where creators look first.
DEFAULT_MAPS = (("character", "scene_type"), ("lora", "segment_position"))
DRILL_DOWN_ROWS = 500
SUBTITLE = [
    "Colour and number: estimated failure rate (pulled toward the overall rate when a cell has "
    "few segments), one scale for every period: 0% green to 30% or more red.",
    "Outlined: the cell lies inside a surfaced pattern. Hover for counts; click a cell for its "
    "failing segments.",
]

st.title("Heatmaps")
context = page_context()
period = context.period
period_caption(
    period,
    "Maps and failing segments cover the period; patterns (outlined) were found over all data.",
)


def selected_cell(event: Any, x_dimension: str, y_dimension: str) -> dict[str, str] | None:
    """The clicked cell as {dimension: value}, or None (nothing clicked, or another map's axes)."""
    if not event:
        return None
    points = event["selection"].get(charts.CELL_SELECTION) or []
    if not points:
        return None
    point = points[0]
    if x_dimension not in point or y_dimension not in point:
        return None
    return {x_dimension: str(point[x_dimension]), y_dimension: str(point[y_dimension])}


def with_patterns(cells, x_dimension: str, y_dimension: str):
    """`cells` plus the surfaced pattern each lies inside (covering_key, matched_key, pattern)."""
    try:
        patterns = failure_patterns(period)
    except MartMissing:
        patterns = None
    covering = [
        covering_pattern(patterns, {x_dimension: x, y_dimension: y})
        if patterns is not None
        else None
        for x, y in zip(cells["x_value"], cells["y_value"], strict=True)
    ]
    return cells.assign(
        covering_key=[match[0] if match else "" for match in covering],
        matched_key=[match[1] if match else "" for match in covering],
        pattern=[pattern_label(match[0]) if match else "" for match in covering],
    )


def heatmap_section(number: int, default_x: str, default_y: str) -> None:
    """One map with its own dimension pickers and its drill-down."""
    with st.container(horizontal=True):
        x_dimension = st.selectbox(
            "Columns",
            DIMENSIONS,
            index=DIMENSIONS.index(default_x),
            format_func=label,
            key=f"map_{number}_x",
            width=220,
        )
        y_choices = [d for d in DIMENSIONS if d != x_dimension]
        y_dimension = st.selectbox(
            "Rows",
            y_choices,
            index=y_choices.index(default_y) if default_y in y_choices else 0,
            format_func=label,
            key=f"map_{number}_y",
            width=220,
        )
    try:
        cells = failure_heatmap(x_dimension, y_dimension, period)
    except MartMissing as error:
        show_missing(error, "The heatmap")
        return
    cells = with_patterns(cells, x_dimension, y_dimension)
    if cells.empty:
        st.info(
            f"No segments for {label(x_dimension)} × {label(y_dimension)} in this period. "
            "Pick a longer period."
        )
        return
    event = st.altair_chart(
        charts.heatmap(
            cells,
            x_dimension,
            y_dimension,
            title=heatmap_title(cells, x_dimension, y_dimension),
            subtitle=SUBTITLE,
        ),
        on_select="rerun",
        selection_mode=charts.CELL_SELECTION,
        key=f"heatmap_{number}",
        width="stretch",
    )
    cell = selected_cell(event, x_dimension, y_dimension)
    if cell is None:
        st.caption(":material/touch_app: Click a cell to list its failing segments.")
        return
    row = cells[(cells["x_value"] == cell[x_dimension]) & (cells["y_value"] == cell[y_dimension])]
    if row.empty:  # only cells of this map: the selection comes from the browser
        st.caption(":material/touch_app: Click a cell to list its failing segments.")
        return
    name = describe_cell(cell)
    st.markdown(f"#### Failing segments: {md_escape(name)}")
    stats = row.iloc[0]
    summary = (
        f"In the period: {int(stats['failure_count']):,} of {int(stats['total_count']):,} "
        f"segments failed ({stats['failure_rate']:.1%}). "
    )
    if stats["covering_key"]:
        st.page_link(
            "app_pages/patterns.py",
            label=f"A surfaced pattern ({md_escape(stats['pattern'])}): "
            "see its fixes or record one",
            icon=":material/pattern:",
        )
    try:
        segments = cell_failing_segments(tuple(sorted(cell.items())), period, DRILL_DOWN_ROWS)
    except MartMissing as error:
        show_missing(error, "The failing segments of a cell")
        return
    if segments.empty:
        st.caption(f"{summary}No failing segment in the period.")
        return
    shown = (
        f"the newest {DRILL_DOWN_ROWS:,} in the period"
        if len(segments) >= DRILL_DOWN_ROWS
        else f"{len(segments):,} in the period"
    )
    st.caption(f"{summary}Listed: {shown}.")
    segments_table(segments, key=f"cell_segments_{number}")


try:
    maps = varied_axes(DEFAULT_MAPS, {d: len(v) for d, v in dimension_values().items()})
except MartMissing:  # each map says what is missing
    maps = list(DEFAULT_MAPS)
for number, (default_x, default_y) in enumerate(maps, start=1):
    with st.container(border=True):
        heatmap_section(number, default_x, default_y)
