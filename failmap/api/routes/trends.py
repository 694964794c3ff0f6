"""Daily failure trends and version changes (marts.daily_failure_trends, marts.change_events).

Both marts come with the trends feature; until they are built the endpoints answer 503 saying so.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from psycopg import sql

from failmap.api.dependencies import Connection, require_relations
from failmap.api.models import ChangeEvent, ChangeVerdict, ErrorDetail, Page, TrendPoint
from failmap.api.routes.common import (
    FilterValue,
    Limit,
    Offset,
    Since,
    Until,
    check_range,
    fetch_page,
)

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
    require_relations(conn, "marts.daily_failure_trends", hint=TRENDS_HINT)
    params = {
        "dimension": dimension,
        "value": dimension_value,
        "since": since,
        "until": until,
        "flagged": flagged_only,
        "limit": limit,
        "offset": offset,
    }
    query = sql.SQL(
        """
        select day, dimension, dimension_value, total_count, failure_count, failure_rate,
            baseline_rate, coalesce(regression_flag, false) as regression_flag,
            coalesce(improvement_flag, false) as improvement_flag,
            count(*) over () as matching_count
        from marts.daily_failure_trends
        where (%(dimension)s::text is null or dimension = %(dimension)s::text)
            and (%(value)s::text is null or dimension_value = %(value)s::text)
            and (%(since)s::date is null or day >= %(since)s::date)
            and (%(until)s::date is null or day <= %(until)s::date)
            and (not %(flagged)s or regression_flag or improvement_flag)
        order by day, dimension, dimension_value
        limit %(limit)s offset %(offset)s
        """
    )
    rows, total = fetch_page(conn, query, params)
    for row in rows:
        if isinstance(row["day"], dt.datetime):
            row["day"] = row["day"].date()
    return Page[TrendPoint](
        items=[TrendPoint(**row) for row in rows], total=total, limit=limit, offset=offset
    )


CHANGE_COLUMNS = tuple(ChangeEvent.model_fields)


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
    require_relations(conn, "marts.change_events", hint=TRENDS_HINT)
    params = {
        "dimension": dimension,
        "value": dimension_value,
        "version": version,
        "verdicts": verdict,
        "since": since,
        "until": until,
        "limit": limit,
        "offset": offset,
    }
    query = sql.SQL(
        """
        select {columns}, count(*) over () as matching_count
        from marts.change_events
        where (%(dimension)s::text is null or dimension = %(dimension)s::text)
            and (%(value)s::text is null or dimension_value = %(value)s::text)
            and (
                %(version)s::text is null
                or from_version = %(version)s::text
                or to_version = %(version)s::text
            )
            and (%(verdicts)s::text[] is null or verdict = any(%(verdicts)s::text[]))
            and (%(since)s::date is null or changed_on >= %(since)s::date)
            and (%(until)s::date is null or changed_on <= %(until)s::date)
        order by changed_at desc, change_key
        limit %(limit)s offset %(offset)s
        """
    ).format(columns=sql.SQL(", ").join(sql.Identifier(c) for c in CHANGE_COLUMNS))
    rows, total = fetch_page(conn, query, params)
    return Page[ChangeEvent](
        items=[ChangeEvent(**row) for row in rows], total=total, limit=limit, offset=offset
    )
