"""Error analytics: run errors, categories, signatures, phases, trends, recommendations.

The period functions sum the marts' daily rows over the days start to end (both included, UTC);
the report, the API and the dashboard run the same queries, so their numbers agree.
"""

from __future__ import annotations

import datetime as dt

import psycopg
from pydantic import Field

from failmap.read.core import Row, fetch, fetch_one, fetch_page

# What the period reads need; the first missing one means the error marts were never built.
RELATIONS = (
    "marts.run_errors",
    "marts.error_signatures",
    "marts.error_summary",
    "marts.phase_error_breakdown",
    "marts.error_trends",
    "marts.debug_recommendations",
)


class ErrorSummary(Row):
    """Run and error totals of a period (marts.error_summary, marts.run_errors)."""

    run_count: int
    succeeded_run_count: int
    failed_run_count: int
    cancelled_run_count: int
    error_count: int
    classified_error_count: int
    unknown_error_count: int
    recovered_error_count: int
    recovery_attempted_run_count: int
    recovery_succeeded_run_count: int
    signature_count: int | None
    unknown_signature_count: int | None
    failure_rate: float | None
    catalog_match_rate: float | None
    recovery_success_rate: float | None


class PhaseErrors(Row):
    """One pipeline phase over a period (marts.phase_error_breakdown summed per phase)."""

    phase: str
    phase_order: int | None
    run_reached_count: int
    error_count: int
    recovered_error_count: int
    failed_run_count: int
    flag_threshold: float | None
    failure_rate: float | None
    is_flagged: bool
    problem_rank: int | None = Field(description="1 = the phase with the highest failure rate.")


class PhaseTotals(Row):
    """One pipeline phase over all data (marts.phase_error_breakdown, grain `all`)."""

    phase: str
    phase_order: int | None
    run_reached_count: int
    error_count: int
    failed_run_count: int
    failure_rate: float | None
    is_flagged: bool
    flag_threshold: float | None
    top_fatal_category: str | None


class ErrorCategory(Row):
    """An error category of a period with the catalog's advice (null for `unknown`)."""

    category: str
    failed_run_count: int
    error_count: int
    recovered_error_count: int
    signature_count: int
    severity: str | None
    is_retryable: bool | None
    recovery_mode: str | None
    root_cause: str | None
    solution: str | None
    estimated_fix_time: str | None
    concentration_dimension: str | None
    concentration_value: str | None
    concentration_error_count: int | None
    all_time_error_count: int | None = Field(description="The category's errors in all data.")
    concentration_error_share: float | None
    concentration_run_share: float | None


class ErrorSignature(Row):
    """A message signature of a period (marts.run_errors x marts.error_signatures)."""

    category: str
    signature_id: str
    template: str | None
    error_count: int
    failed_run_count: int
    unclassified_count: int
    example: str | None
    first_seen_at: dt.datetime | None
    last_seen_at: dt.datetime | None
    suggested_category: str | None
    candidate_pattern: str | None


class ErrorTrendPoint(Row):
    """Failed runs of one category on one day (marts.error_trends)."""

    day: dt.date
    category: str
    failed_run_count: int
    error_count: int


class TrendChange(Row):
    """A category's failed runs in a period, and in its last 7 days against the 7 before."""

    category: str
    failed_run_count: int
    error_count: int
    last_7_days_failed_run_count: int
    previous_7_days_failed_run_count: int


class Recommendation(Row):
    """A debugging recommendation (marts.debug_recommendations), most urgent first."""

    recommendation_id: str
    priority_rank: int
    issue_type: str
    issue: str
    category: str | None
    signature_id: str | None
    severity: str | None
    root_cause: str | None
    solution: str | None
    suggested_pattern: str | None
    estimated_fix_time: str | None
    recovery_mode: str | None
    is_retryable: bool | None
    error_count: int
    failed_run_count: int
    affected_run_count: int | None
    recovered_error_count: int | None
    signature_count: int | None
    first_seen_at: dt.datetime | None
    last_seen_at: dt.datetime | None
    top_phase: str | None
    example_message: str | None
    concentration_dimension: str | None
    concentration_value: str | None
    concentration_error_count: int | None
    concentration_error_share: float | None
    concentration_run_share: float | None
    concentration_lift: float | None
    concentration_z_score: float | None


class DataSpan(Row):
    """The first and last day with runs (both null before any run)."""

    first_day: dt.date | None
    last_day: dt.date | None


class UnknownSignature(Row):
    """An error template no catalog entry matched (marts.error_signatures)."""

    template: str
    occurrence_count: int
    run_count: int
    suggested_category: str | None
    top_phase: str | None
    first_seen_at: dt.datetime | None
    last_seen_at: dt.datetime | None


class RunError(Row):
    """One error of one run (marts.run_errors)."""

    started_at: dt.datetime
    run_id: str
    phase: str | None
    category: str
    match_type: str
    message: str | None
    is_fatal: bool
    is_recovery_attempted: bool | None
    is_recovery_succeeded: bool | None
    workflow: str | None
    model: str | None
    error_code: str | None


def error_summary(conn: psycopg.Connection, start: dt.date, end: dt.date) -> ErrorSummary:
    """Totals of the days start to end (zeros when there were no runs)."""
    summary = fetch_one(conn, "error_summary", ErrorSummary, start=start, end=end)
    assert summary is not None  # an aggregate without group by always has its row
    return summary


def phase_errors(conn: psycopg.Connection, start: dt.date, end: dt.date) -> list[PhaseErrors]:
    """Each phase over the days start to end, in pipeline order, flagged against its threshold."""
    return fetch(conn, "error_phases", PhaseErrors, start=start, end=end)


def phase_totals(conn: psycopg.Connection) -> list[PhaseTotals]:
    """Each phase over all data, in pipeline order."""
    return fetch(conn, "phase_errors_all_time", PhaseTotals)


def error_categories(conn: psycopg.Connection, start: dt.date, end: dt.date) -> list[ErrorCategory]:
    """Categories of the period by failed runs, with the catalog's advice."""
    return fetch(conn, "error_categories", ErrorCategory, start=start, end=end)


def error_signatures(
    conn: psycopg.Connection,
    start: dt.date,
    end: dt.date,
    *,
    category: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[ErrorSignature], int]:
    """Signatures of the period (of one category, or all) by category, most failed runs
    first, and how many match over all pages."""
    return fetch_page(
        conn,
        "error_signatures",
        ErrorSignature,
        start=start,
        end=end,
        category=category,
        limit=limit,
        offset=offset,
    )


def error_trend_points(
    conn: psycopg.Connection, start: dt.date, end: dt.date, category: str | None = None
) -> list[ErrorTrendPoint]:
    """Failed runs and errors per category (one, or all) and day, by category then day."""
    return fetch(
        conn, "error_trend_points", ErrorTrendPoint, start=start, end=end, category=category
    )


def trend_changes(conn: psycopg.Connection, start: dt.date, end: dt.date) -> list[TrendChange]:
    """Per category: failed runs of the period; its last 7 days against the 7 days before
    (read even where those days begin before the period)."""
    return fetch(conn, "error_trend_changes", TrendChange, start=start, end=end)


def recommendations(
    conn: psycopg.Connection,
    *,
    start: dt.date | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Recommendation], int]:
    """Issues last seen on or after `start` (None: all), most urgent first, and how many."""
    return fetch_page(
        conn, "error_recommendations", Recommendation, start=start, limit=limit, offset=offset
    )


def run_data_span(conn: psycopg.Connection) -> DataSpan:
    """The first and last day with runs."""
    span = fetch_one(conn, "run_data_span", DataSpan)
    assert span is not None  # an aggregate without group by always has its row
    return span


def unknown_signatures(conn: psycopg.Connection, limit: int) -> list[UnknownSignature]:
    """Templates no catalog entry matched, most frequent first."""
    return fetch(conn, "unknown_error_signatures", UnknownSignature, limit=limit)


def run_errors(
    conn: psycopg.Connection, start_at: dt.datetime, end_at: dt.datetime, limit: int
) -> list[RunError]:
    """Errors of runs started in [start_at, end_at), newest first."""
    return fetch(conn, "run_errors", RunError, start_at=start_at, end_at=end_at, limit=limit)
