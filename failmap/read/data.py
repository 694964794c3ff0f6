"""The data as a whole: freshness, volume, KPIs, known dimension values, the ingest ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

import psycopg

from failmap.dimensions import DIMENSIONS
from failmap.read.core import Row, fetch, fetch_dicts, fetch_one


class DataFreshness(Row):
    """marts.data_freshness: when the marts and the data were last updated, and how much."""

    refreshed_at: dt.datetime
    last_file_loaded_at: dt.datetime | None
    first_evaluated_at: dt.datetime | None
    last_evaluated_at: dt.datetime | None
    files_loaded_count: int
    files_rejected_count: int
    rows_loaded_count: int
    rows_quarantined_count: int
    segment_count: int
    failed_segment_count: int


class SegmentVolume(Row):
    """Segments, failed segments and regression days of a period (the `overall` trend)."""

    segment_count: int
    failed_segment_count: int
    regression_day_count: int


class Kpi(Row):
    """One row of marts.kpis."""

    kpi: str
    description: str | None
    value: float | None
    unit: str | None
    numerator: float | None
    denominator: float | None


class IngestedFile(Row):
    """One file of the ingest ledger (marts.ingested_files)."""

    loaded_at: dt.datetime
    file_name: str
    file_kind: str | None
    file_format: str | None
    status: str
    rows_in_file: int | None
    rows_loaded: int | None
    rows_superseded: int | None
    rows_quarantined: int | None
    reason: str | None


class QuarantinedRow(Row):
    """A row that broke the input contract (marts.quarantined_rows), the raw row as JSON text."""

    quarantined_at: dt.datetime
    file_name: str
    line_number: int | None
    reason: str
    raw_row: str | None


class QuarantineCount(Row):
    """Rows quarantined in a period for one file kind and rule."""

    file_kind: str | None
    rule: str
    row_count: int


def existing_marts(conn: psycopg.Connection) -> frozenset[str]:
    """Names of the tables and views in the marts schema."""
    return frozenset(row["table_name"] for row in fetch_dicts(conn, "existing_marts"))


def data_freshness(conn: psycopg.Connection) -> DataFreshness | None:
    """The single row of marts.data_freshness (None when it holds none)."""
    return fetch_one(conn, "data_freshness", DataFreshness)


def segment_volume(conn: psycopg.Connection, start: dt.date, end: dt.date) -> SegmentVolume:
    """Segments and failed segments on the days start to end."""
    volume = fetch_one(conn, "segment_volume", SegmentVolume, start=start, end=end)
    assert volume is not None  # an aggregate without group by always has its row
    return volume


def kpis(conn: psycopg.Connection) -> dict[str, Kpi]:
    """marts.kpis by KPI name."""
    return {row.kpi: row for row in fetch(conn, "kpis", Kpi)}


def dimension_values(conn: psycopg.Connection) -> dict[str, list[str]]:
    """Every value of every dimension with segments, most segments first (positions sorted)."""
    values: dict[str, list[str]] = {d: [] for d in DIMENSIONS}
    for row in fetch_dicts(conn, "dimension_values"):
        for dimension in DIMENSIONS:
            value: Any = row[f"dimension_{dimension}"]
            if value:
                values[dimension].append(value)
    values["segment_position"].sort()
    return values


def ingested_files(
    conn: psycopg.Connection, start_at: dt.datetime, end_at: dt.datetime
) -> list[IngestedFile]:
    """Every file loaded or rejected in [start_at, end_at), newest first."""
    return fetch(conn, "ingested_files", IngestedFile, start_at=start_at, end_at=end_at)


def quarantined_row_count(
    conn: psycopg.Connection, start_at: dt.datetime, end_at: dt.datetime
) -> int:
    """Rows quarantined from the files loaded in [start_at, end_at)."""
    [row] = fetch_dicts(conn, "quarantined_row_count", start_at=start_at, end_at=end_at)
    return int(row["rows_quarantined"])


def quarantined_rows(
    conn: psycopg.Connection, start_at: dt.datetime, end_at: dt.datetime, limit: int
) -> list[QuarantinedRow]:
    """Rows quarantined in [start_at, end_at), newest first."""
    return fetch(
        conn, "quarantined_rows", QuarantinedRow, start_at=start_at, end_at=end_at, limit=limit
    )


def quarantine_summary(
    conn: psycopg.Connection, start: dt.date, end: dt.date
) -> list[QuarantineCount]:
    """Rows quarantined on the days start to end per file kind and rule, most rows first."""
    return fetch(conn, "quarantine_summary", QuarantineCount, start=start, end=end)
