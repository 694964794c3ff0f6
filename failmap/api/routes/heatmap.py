"""`GET /api/analytics/failure-heatmap?x=scene_type&y=character`: one dimension pair's cells."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from psycopg.rows import dict_row

from failmap.api.dependencies import Connection, require_relations
from failmap.api.models import Dimension, ErrorDetail, Heatmap, HeatmapCell
from failmap.api.routes.common import invalid
from failmap.pattern_keys import DIMENSIONS

router = APIRouter(tags=["heatmap"])


@router.get("/api/analytics/failure-heatmap", responses={503: {"model": ErrorDetail}})
def failure_heatmap(
    conn: Connection,
    x: Annotated[Dimension, Query(description="Dimension across (columns).")] = "scene_type",
    y: Annotated[Dimension, Query(description="Dimension down (rows).")] = "character",
    min_support: Annotated[
        int, Query(ge=0, le=2**31 - 1, description="Only cells with at least this many segments.")
    ] = 0,
) -> Heatmap:
    """Every cell of the x/y pair: counts, raw and shrunk failure rate, whether it is a pattern."""
    if x == y:
        raise invalid(("query", "y"), f"x and y must be two different dimensions, both are {x!r}")
    require_relations(conn, "marts.failure_heatmap")
    # The mart holds each pair once, in the fixed dimension order; swap for the other way round.
    swapped = DIMENSIONS.index(x) > DIMENSIONS.index(y)
    first, second = (y, x) if swapped else (x, y)
    with conn.cursor(row_factory=dict_row) as cursor:
        cursor.execute(
            """
            select x_value, y_value, total_count, failure_count, failure_rate,
                shrunk_failure_rate, is_pattern, pattern_key, overall_rate
            from marts.failure_heatmap
            where x_dimension = %(first)s and y_dimension = %(second)s
                and total_count >= %(min_support)s
            order by x_value, y_value
            """,
            {"first": first, "second": second, "min_support": min_support},
        )
        rows = cursor.fetchall()
    cells = []
    for row in rows:
        x_value, y_value = (
            (row["y_value"], row["x_value"]) if swapped else (row["x_value"], row["y_value"])
        )
        cells.append(
            HeatmapCell(
                x_value=x_value,
                y_value=y_value,
                total_count=row["total_count"],
                failure_count=row["failure_count"],
                failure_rate=row["failure_rate"],
                shrunk_failure_rate=row["shrunk_failure_rate"],
                is_pattern=row["is_pattern"],
                pattern_key=row["pattern_key"],
            )
        )
    cells.sort(key=lambda cell: (cell.x_value, cell.y_value))
    overall = rows[0]["overall_rate"] if rows else None
    return Heatmap(x=x, y=y, overall_rate=overall, cells=cells)
