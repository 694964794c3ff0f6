"""What `failmap metrics` exports: counts over the marts, one small query each."""

from __future__ import annotations

import datetime as dt

import psycopg

from failmap.read.core import Row, fetch, fetch_one


class SeverityCount(Row):
    """Surfaced patterns of one severity and when the newest was first detected."""

    severity: str
    pattern_count: int
    last_detected_at: dt.datetime | None


class StatusCount(Row):
    """Surfaced patterns of one status (emerging, active, inactive, resolved)."""

    status: str
    pattern_count: int


class CatalogHits(Row):
    """Run errors the catalog classified as one category."""

    category: str
    error_count: int


class CatalogMisses(Row):
    """Run errors no catalog entry matched, and their distinct signatures."""

    error_count: int
    signature_count: int


class RecoveryOutcome(Row):
    """Attempted recoveries of one recovery mode: how many got past the error and how many not."""

    recovery_mode: str
    succeeded_count: int
    failed_count: int


class FailedRuns(Row):
    """Failed runs of one error code: in all data, on the latest day, per day before it."""

    error_code: str
    failed_run_count: int
    latest_day_count: int
    daily_average: float


class OpenWarnings(Row):
    """Files of one kind whose warning nobody has acknowledged yet."""

    file_kind: str
    warning_count: int


def open_quality_warnings(conn: psycopg.Connection) -> list[OpenWarnings]:
    return fetch(conn, "open_quality_warnings", OpenWarnings)


def pattern_severity_counts(conn: psycopg.Connection) -> list[SeverityCount]:
    return fetch(conn, "pattern_severity_counts", SeverityCount)


def pattern_status_counts(conn: psycopg.Connection) -> list[StatusCount]:
    return fetch(conn, "pattern_status_counts", StatusCount)


def catalog_hits(conn: psycopg.Connection) -> list[CatalogHits]:
    return fetch(conn, "catalog_hits", CatalogHits)


def catalog_misses(conn: psycopg.Connection) -> CatalogMisses:
    misses = fetch_one(conn, "catalog_misses", CatalogMisses)
    assert misses is not None  # an aggregate without group by always has its row
    return misses


def recovery_outcomes(conn: psycopg.Connection) -> list[RecoveryOutcome]:
    return fetch(conn, "recovery_outcomes", RecoveryOutcome)


def failed_runs_by_error_code(conn: psycopg.Connection, baseline_days: int) -> list[FailedRuns]:
    """Failed runs per error code; the daily average is over the `baseline_days` days before
    the latest day in the data."""
    return fetch(conn, "failed_runs_by_error_code", FailedRuns, days=baseline_days)
