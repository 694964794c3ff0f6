"""Error analytics of the last `days` days (the error marts), read with the report's queries.

`failmap report` and these endpoints run the same SQL (`failmap/report/queries/`), so the
numbers agree. `until` (default today, UTC) is the period's last day.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import psycopg
from fastapi import APIRouter, Query
from psycopg import sql

from failmap.api.dependencies import Connection, require_relations
from failmap.api.models import (
    ErrorCategory,
    ErrorDetail,
    ErrorPatterns,
    ErrorPeriod,
    ErrorSignature,
    ErrorSummary,
    ErrorTrendPoint,
    ErrorTrends,
    Page,
    PhaseErrors,
    Recommendation,
    Recommendations,
)
from failmap.api.routes.common import (
    FilterValue,
    Limit,
    Offset,
    fetch_page,
    fetch_rows,
    invalid,
)
from failmap.report import report_period
from failmap.report.queries import REQUIRED_RELATIONS, fetch, query_text

router = APIRouter(
    prefix="/api/error-analytics",
    tags=["error analytics"],
    responses={503: {"model": ErrorDetail, "description": "Error marts missing or database down."}},
)

MAX_DAYS = 3660
MAX_RECOMMENDATIONS = 100
Days = Annotated[int, Query(ge=1, le=MAX_DAYS, description="Days in the period, ending `until`.")]
UntilDay = Annotated[
    dt.date | None, Query(description="Last day of the period (UTC); default today.")
]
Category = Annotated[
    FilterValue, Query(description="Only this error category (e.g. `out_of_memory`).")
]


def _period(conn: psycopg.Connection, days: int, until: dt.date | None) -> ErrorPeriod:
    """The period asked (422 when it is not one), once the error marts are known to exist."""
    try:
        period = report_period(days=days, until=until)
    except OverflowError:
        message = f"the {days} days before {until} are not dates"
        raise invalid(("query", "until"), message, until) from None
    require_relations(conn, *REQUIRED_RELATIONS)
    return ErrorPeriod(start=period.start, end=period.end, days=period.days)


def _params(period: ErrorPeriod) -> dict[str, dt.date]:
    return {"start": period.start, "end": period.end}


@router.get("/summary")
def summary(conn: Connection, days: Days = 30, until: UntilDay = None) -> ErrorSummary:
    """Runs, failures, errors, catalog coverage and recovery over the period."""
    period = _period(conn, days, until)
    [row] = fetch(conn, "summary", **_params(period))
    return ErrorSummary(period=period, **row)


@router.get("/by-phase")
def by_phase(conn: Connection, days: Days = 30, until: UntilDay = None) -> list[PhaseErrors]:
    """Each pipeline phase: runs that reached it, errors, failures, failure rate, flag."""
    period = _period(conn, days, until)
    return [PhaseErrors(**row) for row in fetch(conn, "phases", **_params(period))]


def _report_query(name: str) -> sql.Composed:
    """The report's query `name` as a subquery, to filter and page without restating it."""
    # The newline keeps a comment on the query's last line from swallowing the parenthesis.
    return sql.SQL("({}\n)").format(sql.SQL(query_text(name)))  # type: ignore[arg-type]


@router.get("/patterns")
def patterns(
    conn: Connection,
    days: Days = 30,
    until: UntilDay = None,
    category: Category = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ErrorPatterns:
    """Error categories of the period with the catalog's advice, and a page of their signatures
    (by category, most failed runs first)."""
    period = _period(conn, days, until)
    params = _params(period)
    categories = [
        ErrorCategory(**row)
        for row in fetch(conn, "categories", **params)
        if category is None or row["category"] == category
    ]
    # The same order as the report's query, restated: a subquery's order is not kept.
    query = sql.SQL(
        """
        select signatures.*, count(*) over () as matching_count
        from {} as signatures
        where %(category)s::text is null or signatures.category = %(category)s::text
        order by
            signatures.category asc,
            signatures.failed_run_count desc,
            signatures.error_count desc,
            signatures.signature_id asc
        limit %(limit)s offset %(offset)s
        """
    ).format(_report_query("signatures"))
    rows, total = fetch_page(
        conn, query, {**params, "category": category, "limit": limit, "offset": offset}
    )
    signatures = Page[ErrorSignature](
        items=[ErrorSignature(**row) for row in rows], total=total, limit=limit, offset=offset
    )
    return ErrorPatterns(period=period, categories=categories, signatures=signatures)


@router.get("/trends")
def trends(
    conn: Connection, days: Days = 30, until: UntilDay = None, category: Category = None
) -> ErrorTrends:
    """Failed runs and errors per category and day (at most `days` points per category)."""
    period = _period(conn, days, until)
    query = sql.SQL(
        """
        select trends.*
        from {} as trends
        where %(category)s::text is null or trends.category = %(category)s::text
        order by trends.category asc, trends.day asc
        """
    ).format(_report_query("trends"))
    rows = fetch_rows(conn, query, {**_params(period), "category": category})
    return ErrorTrends(period=period, points=[ErrorTrendPoint(**row) for row in rows])


@router.get("/recommendations")
def recommendations(
    conn: Connection,
    days: Days = 30,
    until: UntilDay = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_RECOMMENDATIONS, description=f"Rows (1-{MAX_RECOMMENDATIONS}).")
    ] = 20,
    offset: Offset = 0,
) -> Recommendations:
    """Debugging recommendations for issues seen in the period, most urgent first."""
    period = _period(conn, days, until)
    params = _params(period)
    # The report's query takes the first `limit` by priority; a page is the tail of the first
    # offset + limit (the mart holds one row per issue, a few dozen).
    rows = fetch(conn, "recommendations", **params, limit=offset + limit)
    [(total,)] = conn.execute(
        sql.SQL("select count(*) from {} as recommendations").format(
            _report_query("recommendations")
        ),
        {**params, "limit": None},
    ).fetchall()
    return Recommendations(
        period=period,
        items=[Recommendation(**row) for row in rows[offset:]],
        total=total,
        limit=limit,
        offset=offset,
    )
