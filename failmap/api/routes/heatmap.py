"""`GET /api/analytics/failure-heatmap?x=scene_type&y=character`: one dimension pair's cells.

Over all history the cells are marts.failure_heatmap's; with `since`/`until` they come from
`marts.failure_heatmap_for_period` (created with marts.daily_failure_heatmap): the period's days
summed per cell and shrunk with the same method, so over the data's whole span both agree.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from failmap.api.dependencies import Connection, require_function, require_relations
from failmap.api.models import Dimension, ErrorDetail, Heatmap
from failmap.api.routes.common import Since, Until, check_range, invalid
from failmap.read import heatmap

router = APIRouter(tags=["heatmap"])


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
    if since is None and until is None:
        require_relations(conn, *heatmap.RELATIONS)
    else:
        require_relations(conn, *heatmap.PERIOD_RELATIONS)
        require_function(conn, heatmap.PERIOD_FUNCTION, "marts.failure_heatmap_for_period")
    cells = heatmap.heatmap_cells(conn, x, y, start=since, end=until, min_support=min_support)
    return Heatmap(
        x=x,
        y=y,
        since=since,
        until=until,
        overall_rate=cells[0].overall_rate if cells else None,
        cells=cells,
    )
