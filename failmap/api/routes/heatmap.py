"""`GET /api/analytics/failure-heatmap?x=scene_type&y=character`: one dimension pair's cells.

Over all history the cells are marts.failure_heatmap's; with `since`/`until` they come from
`marts.failure_heatmap_for_period` (created with marts.daily_failure_heatmap): the period's days
summed per cell and shrunk with the same method, so over the data's whole span both agree.
"""

from __future__ import annotations

from typing import Annotated, Any

import psycopg
from fastapi import APIRouter, Query

from failmap.api.dependencies import Connection, require_relations
from failmap.api.errors import MartMissing
from failmap.api.models import Dimension, ErrorDetail, Heatmap, HeatmapCell
from failmap.api.routes.common import Since, Until, check_range, fetch_rows, invalid
from failmap.pattern_keys import DIMENSIONS

router = APIRouter(tags=["heatmap"])

CELL_COLUMNS = """
    x_value, y_value, total_count, failure_count, failure_rate, shrunk_failure_rate,
    is_pattern, pattern_key, overall_rate
"""
ALL_HISTORY = f"""
    select {CELL_COLUMNS}
    from marts.failure_heatmap
    where x_dimension = %(first)s and y_dimension = %(second)s
        and total_count >= %(min_support)s
"""  # noqa: S608 - constant column list
# An open end of the period is every day on that side.
FOR_PERIOD = f"""
    select {CELL_COLUMNS}
    from marts.failure_heatmap_for_period(
        %(first)s, %(second)s,
        coalesce(%(since)s::date, '-infinity'::date), coalesce(%(until)s::date, 'infinity'::date)
    )
    where total_count >= %(min_support)s
"""  # noqa: S608 - constant column list
PERIOD_FUNCTION = "marts.failure_heatmap_for_period(text, text, date, date)"


@router.get("/api/analytics/failure-heatmap", responses={503: {"model": ErrorDetail}})
def failure_heatmap(
    conn: Connection,
    x: Annotated[Dimension, Query(description="Dimension across (columns).")] = "scene_type",
    y: Annotated[Dimension, Query(description="Dimension down (rows).")] = "character",
    min_support: Annotated[
        int, Query(ge=0, le=2**31 - 1, description="Only cells with at least this many segments.")
    ] = 0,
    since: Since = None,
    until: Until = None,
) -> Heatmap:
    """Every cell of the x/y pair: counts, raw and shrunk failure rate, whether it is a pattern.

    `since`/`until` (UTC days of the segments, either may be left open) count only that period's
    segments and shrink toward that period's overall rate; without them, all history. Pattern
    flags are the surfaced patterns, found over all history either way.
    """
    if x == y:
        raise invalid(("query", "y"), f"x and y must be two different dimensions, both are {x!r}")
    check_range(since, until)
    # The marts hold each pair once, in the fixed dimension order; swap for the other way round.
    swapped = DIMENSIONS.index(x) > DIMENSIONS.index(y)
    first, second = (y, x) if swapped else (x, y)
    params = {
        "first": first,
        "second": second,
        "min_support": min_support,
        "since": since,
        "until": until,
    }
    if since is None and until is None:
        require_relations(conn, "marts.failure_heatmap")
        rows = fetch_rows(conn, ALL_HISTORY, params)
    else:
        require_relations(conn, "marts.daily_failure_heatmap", "marts.failure_heatmap")
        _require_period_function(conn)
        rows = fetch_rows(conn, FOR_PERIOD, params)
    return Heatmap(
        x=x,
        y=y,
        since=since,
        until=until,
        overall_rate=rows[0]["overall_rate"] if rows else None,
        cells=sorted(
            (_cell(row, swapped) for row in rows), key=lambda cell: (cell.x_value, cell.y_value)
        ),
    )


def _cell(row: dict[str, Any], swapped: bool) -> HeatmapCell:
    x_value, y_value = (
        (row["y_value"], row["x_value"]) if swapped else (row["x_value"], row["y_value"])
    )
    return HeatmapCell(
        x_value=x_value,
        y_value=y_value,
        total_count=row["total_count"],
        failure_count=row["failure_count"],
        failure_rate=row["failure_rate"],
        shrunk_failure_rate=row["shrunk_failure_rate"],
        is_pattern=row["is_pattern"],
        pattern_key=row["pattern_key"],
    )


def _require_period_function(conn: psycopg.Connection) -> None:
    """503 when the period function is missing (it comes with marts.daily_failure_heatmap)."""
    [(found,)] = conn.execute(
        "select to_regprocedure(%s) is not null", [PERIOD_FUNCTION]
    ).fetchall()
    if not found:
        raise MartMissing("marts.failure_heatmap_for_period")
