"""Error analytics of the last `days` days (the error marts), read as the report reads them.

`failmap report` and these endpoints read through the same functions (`failmap.read.errors`),
so the numbers agree. `until` (default today, UTC) is the period's last day.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import psycopg
from fastapi import APIRouter, Query

from failmap.api.dependencies import Connection, require_relations
from failmap.api.models import (
    ErrorDetail,
    ErrorPatterns,
    ErrorPeriod,
    ErrorSignature,
    ErrorSummary,
    ErrorTrends,
    Page,
    PhaseErrors,
    Recommendations,
)
from failmap.api.routes.common import FilterValue, Limit, Offset, invalid
from failmap.read import errors
from failmap.report import report_period

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
    require_relations(conn, *errors.RELATIONS)
    return ErrorPeriod(start=period.start, end=period.end, days=period.days)


@router.get("/summary")
def summary(conn: Connection, days: Days = 30, until: UntilDay = None) -> ErrorSummary:
    """Runs, failures, errors, catalog coverage and recovery over the period."""
    period = _period(conn, days, until)
    totals = errors.error_summary(conn, period.start, period.end)
    return ErrorSummary(period=period, **totals.columns())


@router.get("/by-phase")
def by_phase(conn: Connection, days: Days = 30, until: UntilDay = None) -> list[PhaseErrors]:
    """Each pipeline phase: runs that reached it, errors, failures, failure rate, flag."""
    period = _period(conn, days, until)
    return errors.phase_errors(conn, period.start, period.end)


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
    categories = [
        row
        for row in errors.error_categories(conn, period.start, period.end)
        if category is None or row.category == category
    ]
    rows, total = errors.error_signatures(
        conn, period.start, period.end, category=category, limit=limit, offset=offset
    )
    signatures = Page[ErrorSignature](items=rows, total=total, limit=limit, offset=offset)
    return ErrorPatterns(period=period, categories=categories, signatures=signatures)


@router.get("/trends")
def trends(
    conn: Connection, days: Days = 30, until: UntilDay = None, category: Category = None
) -> ErrorTrends:
    """Failed runs and errors per category and day (at most `days` points per category)."""
    period = _period(conn, days, until)
    points = errors.error_trend_points(conn, period.start, period.end, category)
    return ErrorTrends(period=period, points=points)


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
    rows, total = errors.recommendations(conn, start=period.start, limit=limit, offset=offset)
    return Recommendations(period=period, items=rows, total=total, limit=limit, offset=offset)
