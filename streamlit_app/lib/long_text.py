"""Long text in tables: a one-line preview in the grid, the whole text under the table.

Streamlit's grid (st.dataframe) draws every cell on one line and silently cuts what does not fit
its column; this version cannot wrap rows. So a long text column (a fix's description, a run's
error message, a segment's failure reasons) shows a preview that ends in "…" when there is more,
and the row a person selects is shown in full below the table, as text (st.text / st.code),
never as markdown or HTML.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import streamlit as st

ELLIPSIS = "…"
# Streamlit's grid: 14px Source Sans (5.6-6 px per character of ordinary text, measured in
# chromium) and 8 px of padding on each side. 6.5 px per character leaves room for wide letters.
_CELL_PADDING = 16
_TENTHS_OF_A_PIXEL_PER_CHARACTER = 65


def characters_for(width: int) -> int:
    """How many characters of ordinary text a grid column `width` pixels wide shows whole."""
    return max(8, (width - _CELL_PADDING) * 10 // _TENTHS_OF_A_PIXEL_PER_CHARACTER)


def preview(text: object, width: int) -> str:
    """The first line of `text`, cut at a word to fit a column `width` px wide, "…" if cut."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    whole = str(text).strip()
    first_line, _, rest = whole.partition("\n")
    line = " ".join(first_line.split())
    limit = characters_for(width)
    if len(line) <= limit and not rest.strip():
        return line
    cut = line[: limit - 1]
    if len(line) > limit - 1:
        space = cut.rfind(" ")
        if space > limit // 2:  # cut at a word unless that loses half the room
            cut = cut[:space]
    return cut.rstrip(" ,;:.·-") + ELLIPSIS


def joined(items: object, separator: str = " · ") -> str:
    """A list cell (failure reasons, failed checks) as one line of text."""
    if items is None or isinstance(items, float):  # a missing cell reads as NaN
        return ""
    if isinstance(items, str) or not isinstance(items, Iterable):
        return str(items)
    return separator.join(str(item) for item in items if item is not None)


def chosen_row(event: Any, frame: pd.DataFrame) -> pd.Series | None:
    """The row of `frame` selected in the st.dataframe whose selection event is `event`."""
    rows = event["selection"]["rows"] if event else []
    if rows and rows[0] < len(frame):
        return frame.iloc[rows[0]]
    return None


def selectable_table(
    frame: pd.DataFrame, columns: dict[str, Any], key: str, order: list[str] | None = None
) -> pd.Series | None:
    """`frame` as a grid of `columns` (st.column_config by name, in the order shown unless
    `order` says otherwise) in which a person selects one row; that row, or None before.

    Every long-text table works this way: previews in the grid, the selected row in full under
    it (the caller shows it), so the grid's settings are written once here.
    """
    event = st.dataframe(
        frame,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        column_order=list(columns) if order is None else order,
        column_config=columns,
        key=key,
    )
    return chosen_row(event, frame)
