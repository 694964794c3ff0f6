"""Daily failure trends and version changes (marts.daily_failure_trends, marts.change_events).

Both marts come with the trends feature; until they are built the endpoints answer 503 saying so.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from failmap.api.dependencies import Connection, require_relations
from failmap.api.models import ChangeEvent, ChangeVerdict, ErrorDetail, Page, TrendPoint
from failmap.api.routes.common import FilterValue, Limit, Offset, Since, Until, check_range
from failmap.read import trends

router = APIRouter(
    tags=["trends"],
    responses={503: {"model": ErrorDetail, "description": "Trends mart missing or database down."}},
)

TrendDimension = Literal[
    "overall", "workflow", "model", "lora", "character", "scene_type", "segment_position"
]
TRENDS_HINT = "the trends marts are built by `failmap refresh` once the trends feature is installed"


@router.get("/api/analytics/failure-trends")
def failure_trends(
    conn: Connection,
    dimension: Annotated[TrendDimension | None, Query(description="Only this dimension.")] = None,
    dimension_value: FilterValue = None,
    since: Since = None,
    until: Until = None,
    flagged_only: Annotated[
        bool, Query(description="Only days flagged as a regression or an improvement.")
    ] = False,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[TrendPoint]:
    """Days x dimension values with failure rate against the baseline and regression flags."""
    check_range(since, until)
    require_relations(conn, *trends.TREND_RELATIONS, hint=TRENDS_HINT)
    rows, total = trends.trend_points(
        conn,
        dimension=dimension,
        value=dimension_value,
        start=since,
        end=until,
        flagged_only=flagged_only,
        limit=limit,
        offset=offset,
    )
    return Page[TrendPoint](items=rows, total=total, limit=limit, offset=offset)


@router.get("/api/analytics/change-events")
def change_events(
    conn: Connection,
    dimension: Annotated[
        Literal["workflow", "model"] | None, Query(description="Only workflow or model changes.")
    ] = None,
    dimension_value: Annotated[
        FilterValue, Query(description="Only this workflow or model (e.g. `m02`).")
    ] = None,
    version: Annotated[
        FilterValue, Query(description="Only changes from or to this version (e.g. `1.5`).")
    ] = None,
    verdict: Annotated[
        list[ChangeVerdict] | None, Query(description="Only these verdicts (repeatable).")
    ] = None,
    since: Annotated[
        dt.date | None, Query(description="Only changes on or after this day (UTC).")
    ] = None,
    until: Annotated[
        dt.date | None, Query(description="Only changes on or before this day (UTC).")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ChangeEvent]:
    """Workflow and model version changes with their verdict, newest first.

    Each compares the old version's failure rate before the change with the new version's from
    the change on: `regression`, `improvement`, `no_change` or `insufficient_data`. Verdicts
    whose after window has not passed (`is_after_window_complete` false) may still change.
    """
    check_range(since, until)
    require_relations(conn, *trends.CHANGE_RELATIONS, hint=TRENDS_HINT)
    rows, total = trends.change_events(
        conn,
        dimension=dimension,
        value=dimension_value,
        version=version,
        verdicts=list(verdict) if verdict else None,
        start=since,
        end=until,
        limit=limit,
        offset=offset,
    )
    return Page[ChangeEvent](items=rows, total=total, limit=limit, offset=offset)
