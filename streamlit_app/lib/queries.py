"""Cached reads for the pages: the read layer (failmap.read) as DataFrames, behind st.cache_data.

The queries and their row types live in failmap/read, shared with the API, the report, the
metrics and the configuration check; this module only borrows a connection, turns rows into
the frames the pages draw, and caches them. Rates, baselines, intervals and verdicts all come
from the marts.

A mart that is not built yet (or not readable by the dashboard's role) raises `MartMissing`,
which `lib.notices.show_missing` turns into a message saying what is missing and how to get it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import psycopg
import psycopg.errors
import streamlit as st

from failmap.connections import open_connection
from failmap.read import data, errors, heatmap, patterns, trends
from failmap.read.core import Row
from lib.connection import engine
from lib.filters import Period
from lib.fixes import measured_label

CACHE_SECONDS = 60

# Errors that mean "this relation is not there for us", not "the query is wrong".
_MISSING_ERRORS = (
    psycopg.errors.UndefinedTable,
    psycopg.errors.UndefinedFunction,
    psycopg.errors.InvalidSchemaName,
    psycopg.errors.InsufficientPrivilege,
)

Result = TypeVar("Result")
RowT = TypeVar("RowT", bound=Row)


class MartMissing(LookupError):
    """A relation a page needs is not built yet, or the dashboard may not read it."""

    def __init__(self, relation: str, detail: str = "") -> None:
        super().__init__(relation)
        self.relation = relation
        self.detail = detail


def _read(relation: str, read: Callable[[psycopg.Connection], Result]) -> Result:
    """Run one read on a pooled connection; a missing relation (or column, when a mart changed
    shape) is MartMissing naming `relation`."""
    try:
        with open_connection(engine()) as conn:
            return read(conn)
    except _MISSING_ERRORS as error:
        raise MartMissing(relation, str(error).splitlines()[0]) from error
    except psycopg.errors.UndefinedColumn as error:
        raise MartMissing(
            relation, f"it exists but not with the columns the dashboard reads: {error}"
        ) from error


def _frame(rows: list[RowT], row_type: type[RowT]) -> pd.DataFrame:
    """The rows as a frame with one column per field of `row_type` (also when there are none);
    timestamps in UTC, as every timestamp in failmap."""
    columns = list(row_type.model_fields)
    frame = pd.DataFrame.from_records(
        [row.columns() for row in rows], columns=columns, coerce_float=True
    )
    for column in columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_convert("UTC")
    return frame


def _series(row: Row) -> pd.Series:
    """One row as a Series, converted as `_frame` converts (timestamps in UTC)."""
    return _frame([row], type(row)).iloc[0]


def _read_frame(
    relation: str, row_type: type[RowT], read: Callable[[psycopg.Connection], list[RowT]]
) -> pd.DataFrame:
    """`_read` whose rows become a frame of `row_type`."""
    return _frame(_read(relation, read), row_type)


def _first(page: tuple[list[RowT], int]) -> list[RowT]:
    """The rows of a paged read (the dashboard shows all it asked for)."""
    return page[0]


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def existing_marts() -> frozenset[str]:
    """Names of the tables and views in the marts schema."""
    return _read("marts", data.existing_marts)


def require(*names: str) -> None:
    """Raise MartMissing for the first of `names` (marts tables) that is not built."""
    present = existing_marts()
    for name in names:
        if name not in present:
            raise MartMissing(f"marts.{name}")


# --- freshness and overview ------------------------------------------------------------------


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def data_freshness() -> pd.Series:
    """The single row of marts.data_freshness."""
    require("data_freshness")
    row = _read("marts.data_freshness", data.data_freshness)
    if row is None:
        raise MartMissing("marts.data_freshness", "it holds no row")
    return _series(row)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def period_volume(period: Period) -> pd.Series:
    """Segments and failed segments in the period: the sum of the daily `overall` trend rows."""
    require("daily_failure_trends")
    volume = _read(
        "marts.daily_failure_trends",
        lambda conn: data.segment_volume(conn, period.start, period.end),
    )
    return _series(volume)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def quarantined_rows_in_period(period: Period) -> int:
    """Rows quarantined from files loaded in the period (the ingest ledger's own counts)."""
    return _read(
        "marts.ingested_files",
        lambda conn: data.quarantined_row_count(conn, period.start_at, period.end_at),
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def kpis() -> dict[str, pd.Series]:
    """marts.kpis by kpi name (value, unit, numerator, denominator, description)."""
    require("kpis")
    found = _read("marts.kpis", data.kpis)
    return {name: _series(row) for name, row in found.items()}


# --- patterns ----------------------------------------------------------------------------------


def _share_dicts(shares: list[patterns.Share]) -> list[dict[str, object]]:
    return [share.model_dump() for share in shares]


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def failure_patterns(period: Period) -> pd.DataFrame:
    """Surfaced patterns by impact, with their failures in the period and how many fixes exist.

    The pattern's rates, interval and severity are over the whole history (the pattern engine's
    window); `period_failure_count` is the sum of its daily failing segments in the period
    (marts.daily_pattern_failures), the number its drill-down lists for the period.
    """
    require("failure_patterns", "daily_pattern_failures")

    def read(conn: psycopg.Connection) -> pd.DataFrame:
        rows, _ = patterns.failure_patterns(conn)
        in_period = patterns.period_failure_counts(conn, period.start, period.end)
        fixes = patterns.fix_counts(conn)
        credited = patterns.credited_fixes(conn)
        frame = _frame(rows, patterns.FailurePattern)
        keys = frame["pattern_key"]
        return frame.assign(
            # The fix a resolved pattern's fall is credited to (None: none credited).
            resolved_by_fix_id=keys.map(
                lambda key: credited[key].fix_id if key in credited else None
            ).astype("object"),
            # Version changes judged improvements that account for that fall ([]: none).
            credited_fix_explained_by=keys.map(
                lambda key: credited[key].explaining_changes if key in credited else []
            ),
            period_failure_count=keys.map(lambda key: in_period.get(key, 0)).astype("int64"),
            fix_count=keys.map(lambda key: fixes.get(key, 0)).astype("int64"),
            # {value, share} dicts: what Arrow can carry when a page shows the frame.
            top_failure_reasons=frame["top_failure_reasons"].map(_share_dicts),
            top_failing_checks=frame["top_failing_checks"].map(_share_dicts),
        )

    return _read("marts.failure_patterns", read)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def pattern_occurrences(pattern_key: str, period: Period, limit: int = 500) -> pd.DataFrame:
    """The pattern's failing segments evaluated in the period, newest first."""
    require("pattern_occurrences")
    return _read_frame(
        "marts.pattern_occurrences",
        patterns.Occurrence,
        lambda conn: _first(
            patterns.pattern_occurrences(
                conn, pattern_key, start_at=period.start_at, end_at=period.end_at, limit=limit
            )
        ),
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def pattern_daily_rates(pattern_key: str, period: Period) -> pd.DataFrame:
    """The pattern's daily failure rate against every other segment's in the period (its
    sparkline), oldest first."""
    require("daily_pattern_rates")
    return _read_frame(
        "marts.daily_pattern_rates",
        patterns.DailyRate,
        lambda conn: patterns.pattern_daily_rates(conn, pattern_key, period.start, period.end),
    )


def pattern_fixes(pattern_key: str | None = None) -> pd.DataFrame:
    """Fixes recorded for a pattern (or all), newest first, each with what the data measured of
    it (`measured`: the fix_effectiveness verdict and rates as a creator reads them;
    `explained_by_changes`: the version changes that account for its pattern's fall, [] for
    none; `masked_by_changes`: the regressions that may hide what it did, [] for none). Not
    cached: users write them, and a fix recorded since the last refresh shows as not measured
    yet."""

    def read(conn: psycopg.Connection) -> pd.DataFrame:
        fixes = _frame(patterns.recorded_fixes(conn, pattern_key), patterns.RecordedFix)
        measured = patterns.fix_measurements(conn)
        found = fixes["fix_id"].map(measured.get)
        return fixes.assign(
            measured=found.map(measured_label),
            explained_by_changes=found.map(
                lambda m: m.explained_by_changes.split("; ") if m and m.explained_by_changes else []
            ),
            masked_by_changes=found.map(
                lambda m: m.masked_by_changes.split("; ") if m and m.masked_by_changes else []
            ),
        )

    return _read("app.pattern_fixes", read)


# --- heatmaps ---------------------------------------------------------------------------------


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def failure_heatmap(x_dimension: str, y_dimension: str, period: Period) -> pd.DataFrame:
    """Cells of one pair of dimensions in the period, columns `x_value` / `y_value` as asked.

    The period's days are summed per cell and each cell's rate shrunk with marts.failure_heatmap's
    method (over the data's whole span that mart's rows); failmap.read.heatmap orients the pair.
    """
    require("daily_failure_heatmap", "failure_heatmap")
    return _read_frame(
        "marts.failure_heatmap_for_period",
        heatmap.HeatmapCell,
        lambda conn: heatmap.heatmap_cells(
            conn, x_dimension, y_dimension, start=period.start, end=period.end
        ),
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def cell_failing_segments(
    cell: tuple[tuple[str, str], ...], period: Period, limit: int = 500
) -> pd.DataFrame:
    """Failing segments of one heatmap cell (dimension=value pairs) evaluated in the period.

    A cell that is not a pattern has no rows in pattern_occurrences, so this reads every failed
    segment (marts.failed_segments), newest first, at most `limit`.
    """
    return _read_frame(
        "marts.failed_segments",
        patterns.FailedSegment,
        lambda conn: patterns.failed_segments(
            conn, dict(cell), start_at=period.start_at, end_at=period.end_at, limit=limit
        ),
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def dimension_values() -> dict[str, list[str]]:
    """Every value of every dimension with segments, most segments first."""
    require("combination_failure_rates")
    return _read("marts.combination_failure_rates", data.dimension_values)


# --- trends -----------------------------------------------------------------------------------


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def trend_series(dimension: str, value: str, period: Period) -> pd.DataFrame:
    """One daily series of marts.daily_failure_trends (dimension `overall` for everything)."""
    require("daily_failure_trends")
    return _read_frame(
        "marts.daily_failure_trends",
        trends.TrendPoint,
        lambda conn: _first(
            trends.trend_points(
                conn, dimension=dimension, value=value, start=period.start, end=period.end
            )
        ),
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def trend_values() -> dict[str, list[str]]:
    """Dimension values that have a daily series, per dimension."""
    require("daily_failure_trends")
    return _read("marts.daily_failure_trends", trends.trend_series_values)


FLAGGED_DAY_COLUMNS = [
    "day",
    "dimension",
    "dimension_value",
    "failure_rate",
    "baseline_rate",
    "total_count",
    "flag",
    "explained_by_change",
]


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def flagged_days(period: Period, limit: int = 200) -> pd.DataFrame:
    """Series-days flagged as a regression or an improvement in the period, newest first."""
    require("daily_failure_trends")
    frame = _read_frame(
        "marts.daily_failure_trends",
        trends.TrendPoint,
        lambda conn: _first(
            trends.trend_points(
                conn,
                start=period.start,
                end=period.end,
                flagged_only=True,
                newest_first=True,
                limit=limit,
            )
        ),
    )
    flag = frame["regression_flag"].map({True: "regression", False: "improvement"})
    return frame.assign(flag=flag.astype(object))[FLAGGED_DAY_COLUMNS]


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def change_events(period: Period) -> pd.DataFrame:
    """Version changes seen in the period with their verdicts, newest first."""
    require("change_events")
    return _read_frame(
        "marts.change_events",
        trends.ChangeEvent,
        lambda conn: _first(trends.change_events(conn, start=period.start, end=period.end)),
    )


# --- error analytics --------------------------------------------------------------------------


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def error_totals(period: Period) -> pd.Series:
    """Runs, failed runs, errors and recoveries in the period: the sum of the daily summaries."""
    require("error_summary")
    summary = _read(
        "marts.error_summary",
        lambda conn: errors.error_summary(conn, period.start, period.end),
    )
    return _series(summary)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def daily_errors(period: Period) -> pd.DataFrame:
    """Errors per day and category in the period (marts.error_trends), days with errors only."""
    require("error_trends")
    frame = _read_frame(
        "marts.error_trends",
        errors.ErrorTrendPoint,
        lambda conn: errors.error_trend_points(conn, period.start, period.end),
    )
    return frame[frame["error_count"] > 0].reset_index(drop=True)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def phase_errors() -> pd.DataFrame:
    """Every pipeline phase over all data, in pipeline order (marts.phase_error_breakdown)."""
    require("phase_error_breakdown")
    return _read_frame("marts.phase_error_breakdown", errors.PhaseTotals, errors.phase_totals)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def debug_recommendations() -> pd.DataFrame:
    """What to fix first, most important first (marts.debug_recommendations)."""
    require("debug_recommendations")
    return _read_frame(
        "marts.debug_recommendations",
        errors.Recommendation,
        lambda conn: _first(errors.recommendations(conn)),
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def unknown_error_signatures(limit: int = 50) -> pd.DataFrame:
    """Error templates no catalog entry matched, most frequent first."""
    require("error_signatures")
    return _read_frame(
        "marts.error_signatures",
        errors.UnknownSignature,
        lambda conn: errors.unknown_signatures(conn, limit),
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def recent_run_errors(period: Period, limit: int = 300) -> pd.DataFrame:
    """Errors of runs started in the period, newest first."""
    require("run_errors")
    return _read_frame(
        "marts.run_errors",
        errors.RunError,
        lambda conn: errors.run_errors(conn, period.start_at, period.end_at, limit),
    )


# --- data quality -----------------------------------------------------------------------------


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def ingested_files(period: Period) -> pd.DataFrame:
    """The ingest ledger: every file loaded or rejected in the period, newest first."""
    return _read_frame(
        "marts.ingested_files",
        data.IngestedFile,
        lambda conn: data.ingested_files(conn, period.start_at, period.end_at),
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def quarantined_rows(period: Period, limit: int = 500) -> pd.DataFrame:
    """Rows quarantined in the period, newest first, with the rule each broke."""
    return _read_frame(
        "marts.quarantined_rows",
        data.QuarantinedRow,
        lambda conn: data.quarantined_rows(conn, period.start_at, period.end_at, limit),
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def quarantine_summary(period: Period) -> pd.DataFrame:
    """Rows quarantined in the period per file kind and broken rule, most rows first."""
    require("quarantine_summary")
    return _read_frame(
        "marts.quarantine_summary",
        data.QuarantineCount,
        lambda conn: data.quarantine_summary(conn, period.start, period.end),
    )


def clear_caches() -> None:
    """Forget every cached read (after a write, or between tests)."""
    st.cache_data.clear()
