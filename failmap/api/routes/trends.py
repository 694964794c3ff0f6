"""Daily failure trends and version changes (marts.daily_failure_trends, marts.change_events).

Both marts come with the trends feature; until they are built the endpoints answer 503 saying so.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from psycopg.rows import dict_row

from failmap.api.dependencies import Connection, require_relations
from failmap.api.models import ErrorDetail, Page, TrendPoint
from failmap.api.routes.common import Limit, Offset, Since, Until, check_range

router = APIRouter(tags=["trends"])

TrendDimension = Literal[
    "overall", "workflow", "model", "lora", "character", "scene_type", "segment_position"
]
TRENDS_HINT = "the trends marts are built by `failmap refresh` once the trends feature is installed"


@router.get(
    "/api/analytics/failure-trends",
    responses={503: {"model": ErrorDetail, "description": "Trends mart missing or database down."}},
)
def failure_trends(
    conn: Connection,
    dimension: Annotated[TrendDimension | None, Query(description="Only this dimension.")] = None,
    dimension_value: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
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
    with conn.cursor(row_factory=dict_row) as cursor:
        cursor.execute(
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
            """,
            params,
        )
        rows = cursor.fetchall()
    total = rows[0].pop("matching_count") if rows else 0
    for row in rows[1:]:
        row.pop("matching_count")
    for row in rows:
        if isinstance(row["day"], dt.datetime):
            row["day"] = row["day"].date()
    return Page[TrendPoint](
        items=[TrendPoint(**row) for row in rows], total=total, limit=limit, offset=offset
    )
