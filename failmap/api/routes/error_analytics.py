"""Error analytics of the last `days` days (the error marts), read with the report's queries.

`failmap report` and these endpoints run the same SQL (`failmap/report/queries/`), so the
numbers agree. `until` (default today, UTC) is the period's last day.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import psycopg
from fastapi import APIRouter, Query

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
    PhaseErrors,
    Recommendation,
    Recommendations,
)
from failmap.api.routes.common import invalid
from failmap.report import report_period
from failmap.report.queries import REQUIRED_RELATIONS, fetch

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


def _period(conn: psycopg.Connection, days: int, until: dt.date | None) -> ErrorPeriod:
    require_relations(conn, *REQUIRED_RELATIONS)
    try:
        period = report_period(days=days, until=until)
    except OverflowError:
        raise invalid(("query", "until"), f"the {days} days before {until} are not dates") from None
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


@router.get("/patterns")
def patterns(conn: Connection, days: Days = 30, until: UntilDay = None) -> ErrorPatterns:
    """Error categories of the period with the catalog's advice, and their signatures."""
    period = _period(conn, days, until)
    params = _params(period)
    categories = [ErrorCategory(**row) for row in fetch(conn, "categories", **params)]
    signatures = [ErrorSignature(**row) for row in fetch(conn, "signatures", **params)]
    return ErrorPatterns(period=period, categories=categories, signatures=signatures)


@router.get("/trends")
def trends(conn: Connection, days: Days = 30, until: UntilDay = None) -> ErrorTrends:
    """Failed runs and errors per category and day."""
    period = _period(conn, days, until)
    points = [ErrorTrendPoint(**row) for row in fetch(conn, "trends", **_params(period))]
    return ErrorTrends(period=period, points=points)


@router.get("/recommendations")
def recommendations(
    conn: Connection,
    days: Days = 30,
    until: UntilDay = None,
    limit: Annotated[int, Query(ge=1, le=MAX_RECOMMENDATIONS)] = 20,
) -> Recommendations:
    """Debugging recommendations for issues seen in the period, most urgent first."""
    period = _period(conn, days, until)
    rows = fetch(conn, "recommendations", **_params(period), limit=limit)
    return Recommendations(period=period, items=[Recommendation(**row) for row in rows])
