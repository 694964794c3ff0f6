"""Failure heatmaps: the cells of one pair of dimensions, over all history or a period."""

from __future__ import annotations

import datetime as dt

import psycopg
from pydantic import Field

from failmap.dimensions import ordered_pair
from failmap.read.core import Row, fetch

RELATIONS = ("marts.failure_heatmap",)
# With a period the cells come from this function, created with marts.daily_failure_heatmap.
PERIOD_RELATIONS = ("marts.daily_failure_heatmap", "marts.failure_heatmap")
PERIOD_FUNCTION = "marts.failure_heatmap_for_period(text, text, date, date)"


class HeatmapCell(Row):
    """One cell of a two-dimension heatmap, in the orientation asked."""

    x_value: str
    y_value: str
    total_count: int
    failure_count: int
    failure_rate: float
    shrunk_failure_rate: float = Field(description="Rate shrunk toward the overall rate.")
    overall_rate: float = Field(exclude=True)
    prior_strength: float | None = Field(exclude=True)
    is_pattern: bool
    pattern_key: str | None


def heatmap_cells(
    conn: psycopg.Connection,
    x: str,
    y: str,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    min_support: int = 0,
) -> list[HeatmapCell]:
    """Every cell of the x/y pair with `x_value`/`y_value` as asked, sorted by x then y.

    Without `start` and `end`: all history (marts.failure_heatmap). With either: the days of the
    period summed and shrunk with the same method (either end may be open); over the data's
    whole span both agree. The marts store each pair once, the earlier dimension (in the fixed
    order) as x; asking for the other orientation swaps the values, nothing else.
    """
    first, second, swapped = ordered_pair(x, y)
    params = {"first": first, "second": second, "min_support": min_support}
    if start is None and end is None:
        cells = fetch(conn, "heatmap_cells", HeatmapCell, **params)
    else:
        cells = fetch(conn, "heatmap_cells_for_period", HeatmapCell, start=start, end=end, **params)
    if swapped:
        cells = [
            cell.model_copy(update={"x_value": cell.y_value, "y_value": cell.x_value})
            for cell in cells
        ]
    return sorted(cells, key=lambda cell: (cell.x_value, cell.y_value))
