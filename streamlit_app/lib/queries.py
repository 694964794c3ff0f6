"""Cached reads of the marts (and app.* for fixes); pages call these and compute nothing themselves.

Every function returns what one mart holds, filtered to what a page shows: a pattern, a pair of
dimensions, a period. Rates, baselines, intervals and verdicts all come from the marts; the only
arithmetic here is counting and summing the rows a mart already holds for the chosen period.

A mart that is not built yet (or not readable by the dashboard's role) raises `MartMissing`,
which `lib.notices.show_missing` turns into a message saying what is missing and how to get it.
"""

from __future__ import annotations

import pandas as pd
import psycopg.errors
import streamlit as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from lib.connection import engine
from lib.dimensions import DIMENSIONS, segment_column
from lib.filters import Period

CACHE_SECONDS = 60

# Errors that mean "this relation is not there for us", not "the query is wrong".
_MISSING_ERRORS = (
    psycopg.errors.UndefinedTable,
    psycopg.errors.UndefinedFunction,
    psycopg.errors.InvalidSchemaName,
    psycopg.errors.InsufficientPrivilege,
)


class MartMissing(LookupError):
    """A relation a page needs is not built yet, or the dashboard may not read it."""

    def __init__(self, relation: str, detail: str = "") -> None:
        super().__init__(relation)
        self.relation = relation
        self.detail = detail


def _read(sql: str, params: dict[str, object] | None = None, *, relation: str) -> pd.DataFrame:
    """Run one read; a missing relation (or column, when a mart changed shape) is MartMissing."""
    try:
        with engine().connect() as connection:
            return pd.read_sql_query(text(sql), connection, params=params or {})
    except DBAPIError as error:
        if isinstance(error.orig, _MISSING_ERRORS):
            raise MartMissing(relation, str(error.orig).splitlines()[0]) from error
        if isinstance(error.orig, psycopg.errors.UndefinedColumn):
            raise MartMissing(
                relation, f"it exists but not with the columns the dashboard reads: {error.orig}"
            ) from error
        raise


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def existing_marts() -> frozenset[str]:
    """Names of the tables and views in the marts schema."""
    frame = _read(
        "select table_name from information_schema.tables where table_schema = 'marts'",
        relation="marts",
    )
    return frozenset(frame["table_name"])


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
    frame = _read("select * from marts.data_freshness", relation="marts.data_freshness")
    if frame.empty:
        raise MartMissing("marts.data_freshness", "it holds no row")
    return frame.iloc[0]


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def period_volume(period: Period) -> pd.Series:
    """Segments and failed segments in the period: the sum of the daily `overall` trend rows."""
    require("daily_failure_trends")
    frame = _read(
        """
        select
            coalesce(sum(total_count), 0) as segment_count,
            coalesce(sum(failure_count), 0) as failed_segment_count,
            count(*) filter (where regression_flag) as regression_day_count
        from marts.daily_failure_trends
        where dimension = 'overall' and day between :start and :end
        """,
        period.params(),
        relation="marts.daily_failure_trends",
    )
    return frame.iloc[0]


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def quarantined_rows_in_period(period: Period) -> int:
    """Rows quarantined from files loaded in the period (the ingest ledger's own counts)."""
    frame = _read(
        """
        select coalesce(sum(rows_quarantined), 0) as rows_quarantined
        from marts.ingested_files
        where loaded_at >= :start_at and loaded_at < :end_at
        """,
        period.params(),
        relation="marts.ingested_files",
    )
    return int(frame.iloc[0]["rows_quarantined"])


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def kpis() -> dict[str, pd.Series]:
    """marts.kpis by kpi name (value, unit, numerator, denominator, description)."""
    require("kpis")
    frame = _read("select * from marts.kpis", relation="marts.kpis")
    return {row["kpi"]: row for _, row in frame.iterrows()}


# --- patterns ----------------------------------------------------------------------------------


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def failure_patterns(period: Period) -> pd.DataFrame:
    """Surfaced patterns by impact, with their failures in the period and how many fixes exist.

    The pattern's rates, interval and severity are over the whole history (the pattern engine's
    window); `period_failure_count` is the sum of its daily failing segments in the period
    (marts.daily_pattern_failures), the number its drill-down lists for the period.
    """
    require("failure_patterns", "daily_pattern_failures")
    return _read(
        """
        with in_period as (
            select pattern_key, sum(failure_count)::bigint as period_failure_count
            from marts.daily_pattern_failures
            where day between :start and :end
            group by pattern_key
        ),

        fixes as (
            select pattern_key, count(*) as fix_count
            from app.pattern_fixes
            group by pattern_key
        )

        select
            patterns.*,
            coalesce(in_period.period_failure_count, 0) as period_failure_count,
            coalesce(fixes.fix_count, 0) as fix_count
        from marts.failure_patterns as patterns
        left join in_period on patterns.pattern_key = in_period.pattern_key
        left join fixes on patterns.pattern_key = fixes.pattern_key
        order by patterns.impact_rank
        """,
        period.params(),
        relation="marts.failure_patterns",
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def pattern_occurrences(pattern_key: str, period: Period, limit: int = 500) -> pd.DataFrame:
    """The pattern's failing segments evaluated in the period, newest first."""
    require("pattern_occurrences")
    return _read(
        """
        select evaluated_at, segment_id, job_id, scene_id, failed_checks, failure_reasons
        from marts.pattern_occurrences
        where pattern_key = :pattern_key
            and evaluated_at >= :start_at and evaluated_at < :end_at
        order by evaluated_at desc
        limit :limit
        """,
        {"pattern_key": pattern_key, "limit": limit, **period.params()},
        relation="marts.pattern_occurrences",
    )


def pattern_fixes(pattern_key: str | None = None) -> pd.DataFrame:
    """Fixes recorded for a pattern (or all), newest first. Not cached: users write them."""
    where = "where pattern_key = :pattern_key" if pattern_key else ""
    return _read(
        f"""
        select created_at, pattern_key, fix_description, effectiveness, fix_parameters::text
            as fix_parameters, reported_by, fix_id
        from app.pattern_fixes
        {where}
        order by created_at desc, fix_id desc
        """,  # noqa: S608 -- `where` is one of two constant strings
        {"pattern_key": pattern_key},
        relation="app.pattern_fixes",
    )


# --- heatmaps ---------------------------------------------------------------------------------


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def failure_heatmap(x_dimension: str, y_dimension: str, period: Period) -> pd.DataFrame:
    """Cells of one pair of dimensions in the period, columns `x_value` / `y_value` as asked.

    marts.failure_heatmap_for_period sums the pair's days of marts.daily_failure_heatmap and
    shrinks each cell's rate with marts.failure_heatmap's method (over the data's whole span it
    returns that mart's rows). The marts store each pair once (x before y in the fixed dimension
    order); asking for the other orientation swaps the columns, nothing else.
    """
    require("daily_failure_heatmap", "failure_heatmap")
    ordered = sorted((x_dimension, y_dimension), key=DIMENSIONS.index)
    swapped = ordered[0] != x_dimension
    frame = _read(
        """
        select x_value, y_value, total_count, failure_count, failure_rate, shrunk_failure_rate,
            overall_rate, prior_strength, is_pattern, pattern_key
        from marts.failure_heatmap_for_period(:first, :second, :start, :end)
        """,
        {"first": ordered[0], "second": ordered[1], **period.params()},
        relation="marts.failure_heatmap_for_period",
    )
    if swapped:
        frame = frame.rename(columns={"x_value": "y_value", "y_value": "x_value"})
    return frame


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def cell_failing_segments(
    cell: tuple[tuple[str, str], ...], period: Period, limit: int = 500
) -> pd.DataFrame:
    """Failing segments of one heatmap cell (dimension=value pairs) evaluated in the period.

    A cell that is not a pattern has no rows in pattern_occurrences, so this reads every failed
    segment (marts.failed_segments). The period is an evaluated_at range, like the order: its
    index on evaluated_at answers both, newest first, and stops after `limit` matching rows.
    """
    conditions = []
    params: dict[str, object] = {"limit": limit, **period.params()}
    for index, (dimension, value) in enumerate(cell):
        # The column name comes from a fixed mapping of the six dimensions, never from input.
        conditions.append(f"segments.{segment_column(dimension)} = :value_{index}")
        params[f"value_{index}"] = value
    return _read(
        f"""
        select segments.evaluated_at, segments.segment_id, segments.job_id, segments.scene_id,
            segments.workflow, segments.model, segments.lora, segments.character,
            segments.scene_type, segments.segment_position, segments.failed_checks,
            segments.failure_reasons
        from marts.failed_segments as segments
        where segments.evaluated_at >= :start_at and segments.evaluated_at < :end_at
            and {" and ".join(conditions)}
        order by segments.evaluated_at desc
        limit :limit
        """,  # noqa: S608 -- identifiers from lib.dimensions, values bound
        params,
        relation="marts.failed_segments",
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def dimension_values() -> dict[str, list[str]]:
    """Every value of every dimension with segments, most segments first."""
    require("combination_failure_rates")
    frame = _read(
        """
        select
            coalesce(dimension_workflow, '') as workflow,
            coalesce(dimension_model, '') as model,
            coalesce(dimension_lora, '') as lora,
            coalesce(dimension_character, '') as character,
            coalesce(dimension_scene_type, '') as scene_type,
            coalesce(dimension_segment_position, '') as segment_position,
            total_count
        from marts.combination_failure_rates
        where dimension_count = 1
        order by total_count desc
        """,
        relation="marts.combination_failure_rates",
    )
    values: dict[str, list[str]] = {}
    for dimension in DIMENSIONS:
        column = frame[dimension]
        values[dimension] = [value for value in column if value]
    values["segment_position"] = sorted(values["segment_position"])
    return values


# --- trends -----------------------------------------------------------------------------------


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def trend_series(dimension: str, value: str, period: Period) -> pd.DataFrame:
    """One daily series of marts.daily_failure_trends (dimension `overall` for everything)."""
    require("daily_failure_trends")
    return _read(
        """
        select day, total_count, failure_count, failure_rate, baseline_rate, regression_flag,
            improvement_flag
        from marts.daily_failure_trends
        where dimension = :dimension and dimension_value = :value
            and day between :start and :end
        order by day
        """,
        {"dimension": dimension, "value": value, **period.params()},
        relation="marts.daily_failure_trends",
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def trend_values() -> dict[str, list[str]]:
    """Dimension values that have a daily series, per dimension."""
    require("daily_failure_trends")
    frame = _read(
        """
        select dimension, dimension_value
        from marts.daily_failure_trends
        group by dimension, dimension_value
        order by dimension, dimension_value
        """,
        relation="marts.daily_failure_trends",
    )
    return {
        dimension: list(group["dimension_value"])
        for dimension, group in frame.groupby("dimension", sort=False)
    }


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def flagged_days(period: Period, limit: int = 200) -> pd.DataFrame:
    """Series-days flagged as a regression or an improvement in the period, newest first."""
    require("daily_failure_trends")
    return _read(
        """
        select day, dimension, dimension_value, failure_rate, baseline_rate, total_count,
            case when regression_flag then 'regression' else 'improvement' end as flag,
            explained_by_change
        from marts.daily_failure_trends
        where (regression_flag or improvement_flag) and day between :start and :end
        order by day desc, dimension, dimension_value
        limit :limit
        """,
        {"limit": limit, **period.params()},
        relation="marts.daily_failure_trends",
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def change_events(period: Period) -> pd.DataFrame:
    """Version changes seen in the period with their verdicts, newest first."""
    require("change_events")
    return _read(
        """
        select *
        from marts.change_events
        where changed_at >= :start_at and changed_at < :end_at
        order by changed_at desc
        """,
        period.params(),
        relation="marts.change_events",
    )


# --- error analytics --------------------------------------------------------------------------


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def error_totals(period: Period) -> pd.Series:
    """Runs, failed runs, errors and recoveries in the period: the sum of the daily summaries."""
    require("error_summary")
    frame = _read(
        """
        select
            count(*) as day_count,
            coalesce(sum(run_count), 0) as run_count,
            coalesce(sum(failed_run_count), 0) as failed_run_count,
            coalesce(sum(error_count), 0) as error_count,
            coalesce(sum(unknown_error_count), 0) as unknown_error_count,
            coalesce(sum(recovery_attempted_run_count), 0) as recovery_attempted_run_count,
            coalesce(sum(recovery_succeeded_run_count), 0) as recovery_succeeded_run_count
        from marts.error_summary
        where period_grain = 'day' and period_start between :start and :end
        """,
        period.params(),
        relation="marts.error_summary",
    )
    return frame.iloc[0]


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def daily_errors(period: Period) -> pd.DataFrame:
    """Errors per day and category in the period (marts.error_trends)."""
    require("error_trends")
    return _read(
        """
        select day, category, error_count, failed_run_count
        from marts.error_trends
        where day between :start and :end and error_count > 0
        order by day, category
        """,
        period.params(),
        relation="marts.error_trends",
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def phase_errors() -> pd.DataFrame:
    """Every pipeline phase over all data, in pipeline order (marts.phase_error_breakdown)."""
    require("phase_error_breakdown")
    return _read(
        """
        select phase, phase_order, run_reached_count, error_count, failed_run_count,
            failure_rate, is_flagged, flag_threshold, top_fatal_category
        from marts.phase_error_breakdown
        where period_grain = 'all'
        order by phase_order
        """,
        relation="marts.phase_error_breakdown",
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def debug_recommendations() -> pd.DataFrame:
    """What to fix first, most important first (marts.debug_recommendations)."""
    require("debug_recommendations")
    return _read(
        "select * from marts.debug_recommendations order by priority_rank",
        relation="marts.debug_recommendations",
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def unknown_error_signatures(limit: int = 50) -> pd.DataFrame:
    """Error templates no catalog entry matched, most frequent first."""
    require("error_signatures")
    return _read(
        """
        select template, occurrence_count, run_count, suggested_category, top_phase,
            first_seen_at, last_seen_at
        from marts.error_signatures
        where is_unknown
        order by occurrence_count desc
        limit :limit
        """,
        {"limit": limit},
        relation="marts.error_signatures",
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def recent_run_errors(period: Period, limit: int = 300) -> pd.DataFrame:
    """Errors of runs started in the period, newest first."""
    require("run_errors")
    return _read(
        """
        select started_at, run_id, phase, category, match_type, message, is_fatal,
            is_recovery_attempted, is_recovery_succeeded, workflow, model, error_code
        from marts.run_errors
        where started_at >= :start_at and started_at < :end_at
        order by started_at desc, run_error_id
        limit :limit
        """,
        {"limit": limit, **period.params()},
        relation="marts.run_errors",
    )


# --- data quality -----------------------------------------------------------------------------


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def ingested_files(period: Period) -> pd.DataFrame:
    """The ingest ledger: every file loaded or rejected in the period, newest first."""
    return _read(
        """
        select loaded_at, file_name, file_kind, file_format, status, rows_in_file, rows_loaded,
            rows_superseded, rows_quarantined, reason
        from marts.ingested_files
        where loaded_at >= :start_at and loaded_at < :end_at
        order by loaded_at desc, file_id desc
        """,
        period.params(),
        relation="marts.ingested_files",
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def quarantined_rows(period: Period, limit: int = 500) -> pd.DataFrame:
    """Rows quarantined in the period, newest first, with the rule each broke."""
    return _read(
        """
        select quarantined_at, file_name, line_number, reason, raw_row::text as raw_row
        from marts.quarantined_rows
        where quarantined_at >= :start_at and quarantined_at < :end_at
        order by quarantined_at desc, quarantine_id desc
        limit :limit
        """,
        {"limit": limit, **period.params()},
        relation="marts.quarantined_rows",
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def quarantine_summary(period: Period) -> pd.DataFrame:
    """Rows quarantined in the period per file kind and broken rule, most rows first."""
    require("quarantine_summary")
    return _read(
        """
        select file_kind, rule, sum(row_count)::bigint as row_count
        from marts.quarantine_summary
        where day between :start and :end
        group by file_kind, rule
        order by row_count desc, file_kind, rule
        """,
        period.params(),
        relation="marts.quarantine_summary",
    )


def clear_caches() -> None:
    """Forget every cached read (after a write, or between tests)."""
    st.cache_data.clear()
