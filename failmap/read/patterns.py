"""Surfaced failure patterns, their failing segments, and what the dashboard counts per pattern."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal

import psycopg
from pydantic import Field, computed_field

from failmap.dimensions import DIMENSIONS
from failmap.read.core import Row, fetch, fetch_dicts, fetch_page, relation_columns

# What the layer reads for patterns; the first missing one means no refresh has built them.
RELATIONS = ("marts.failure_patterns",)

Severity = Literal["low", "medium", "high"]
Status = Literal["emerging", "active", "inactive", "resolved"]
# The statuses of patterns that fail now: what the current lists and counts show (inactive ones
# have no segments lately; resolved ones are back at baseline).
CURRENT_STATUSES: tuple[Status, ...] = ("emerging", "active")


class Share(Row):
    """A value (a failure reason, a check) and the share of a pattern's failed segments it has."""

    value: str
    share: float


class FailurePattern(Row):
    """A surfaced failure pattern: one row of marts.failure_patterns, every column.

    A new column of the mart is added here and in `sql/failure_patterns.sql`, and reaches the
    dashboard, the API, the report and the configuration check from there.
    """

    pattern_key: str = Field(
        description="Stable id, e.g. `lora=l07|character=c12|segment_position=6+`; URL-encode it "
        "in paths."
    )
    description: str
    # The key's values one column each (null: not part of the pattern); published as
    # `dimensions` by the API.
    dimension_workflow: str | None = Field(exclude=True)
    dimension_model: str | None = Field(exclude=True)
    dimension_lora: str | None = Field(exclude=True)
    dimension_character: str | None = Field(exclude=True)
    dimension_scene_type: str | None = Field(exclude=True)
    dimension_segment_position: str | None = Field(exclude=True)
    dimension_count: int
    aliases: list[str] = Field(description="Other keys covering exactly the same segments.")
    failure_count: int
    total_count: int
    failure_rate: float
    failure_rate_lower: float
    failure_rate_upper: float
    baseline_rate: float | None
    risk_ratio: float | None
    impact: float = Field(description="Excess failures over the baseline.")
    impact_rank: int
    p_value: float
    q_value: float
    own_p_value: float | None = Field(
        description="p-value against the pattern's best parent (null at the top level)."
    )
    own_q_value: float | None
    best_parent_key: str | None = Field(
        description="The parent combination the pattern was tested against (null: none)."
    )
    severity: Severity
    last_occurrence: dt.datetime | None
    first_detected_at: dt.datetime | None
    last_seen_at: dt.datetime | None
    ln_p_value: float = Field(
        description="Natural log of p_value, exact where p_value underflows to 0; patterns are "
        "ranked by it."
    )
    parent_pattern_key: str | None = Field(
        description="The surfaced pattern this one is a fragment or refinement of (null: a "
        "top-level pattern)."
    )
    top_failure_reasons: list[Share] = Field(
        description="Most frequent failure reasons, with the share of the pattern's failed "
        "segments that have each."
    )
    top_failing_checks: list[Share] = Field(
        description="Most frequent failing checks, with the share of the pattern's failed "
        "segments where each failed."
    )

    status: Status = Field(
        description="`emerging` (began failing above its baseline recently), `active` (still "
        "fails above it), `inactive` (no segments since status_since, at least the longest "
        "recent window: not failing now, not known to be fixed) or `resolved` (back at "
        "baseline since status_since)."
    )
    status_since: dt.date = Field(description="The day the status began.")
    started_on: dt.date = Field(
        description="First day of the run of days in which it fails above its earlier rate (a "
        "change point of its daily series, not a refresh time)."
    )
    recent_failure_rate: float | None = Field(
        description="Its failure rate over the recent_window_days that speak for the status."
    )
    recent_segment_count: int
    recent_window_days: int
    current_failure_rate: float | None = Field(
        description="What it fails at now: its rate since started_on (since the fall when "
        "resolved); the configuration check uses it."
    )
    current_segment_count: int | None = Field(
        default=None,
        description="The segments current_failure_rate is measured on: the evidence behind it.",
    )
    returned_after: dt.date | None = Field(
        default=None,
        description="When its current run began with a rise after a significant fall of its "
        "own (it fell and came back: not new), the fall's day; null otherwise.",
    )
    window_starts_on: dt.date | None = Field(
        default=None,
        description="For a pattern found in a recent window only, the window's first day: its "
        "counts, rates, baseline, interval and impact are that window's. Null when the whole "
        "history surfaces it.",
    )

    @computed_field(description="The pattern's dimensions and their values.")  # type: ignore[prop-decorator]
    @property
    def dimensions(self) -> dict[str, str]:
        values = {d: getattr(self, f"dimension_{d}") for d in DIMENSIONS}
        return {d: value for d, value in values.items() if value}


class CreditedFix(Row):
    """The recorded fix a resolved pattern's fall is credited to (marts.fix_effectiveness).

    Kept out of marts.failure_patterns: the pattern marts must not depend on app-written fixes,
    or recording a fix would rebuild the engine.
    """

    pattern_key: str
    fix_id: int
    fix_description: str
    reported_by: str
    fixed_at: dt.datetime
    explained_by_changes: str | None = Field(
        description="Version changes judged an improvement near the fix, of a workflow or model "
        "the pattern ran on, that account for its fall (without their segments it hardly fell), "
        "joined by '; ', nearest first; null: none. The fall may be theirs, not the fix's."
    )

    @property
    def explaining_changes(self) -> list[str]:
        """explained_by_changes as a list of change keys, nearest to the fix first."""
        return self.explained_by_changes.split("; ") if self.explained_by_changes else []


def credited_fixes(conn: psycopg.Connection) -> dict[str, CreditedFix]:
    """The fix each resolved pattern's resolution is credited to, by pattern key. None before
    a refresh has built marts.fix_effectiveness with the columns read here (see
    fix_measurements): the pattern pages must not fail for it."""
    needed = {*CreditedFix.model_fields, "is_credited_with_resolution"}
    if not needed <= relation_columns(conn, "marts", "fix_effectiveness"):
        return {}
    return {row.pattern_key: row for row in fetch(conn, "credited_fixes", CreditedFix)}


class Occurrence(Row):
    """A failing segment of a pattern (marts.pattern_occurrences)."""

    segment_id: str
    job_id: str
    scene_id: str | None
    evaluated_at: dt.datetime
    failed_checks: list[str]
    failure_reasons: list[str | None]


class FailedSegment(Row):
    """A failing segment with its configuration (marts.failed_segments)."""

    evaluated_at: dt.datetime
    segment_id: str
    job_id: str
    scene_id: str | None
    workflow: str | None
    model: str | None
    lora: str | None
    character: str | None
    scene_type: str | None
    segment_position: int | None
    failed_checks: list[str]
    failure_reasons: list[str | None]


class DailyRate(Row):
    """A pattern's failure rate on one day beside the rest's (marts.daily_pattern_rates)."""

    day: dt.date
    segment_count: int
    failure_count: int
    failure_rate: float
    rest_failure_rate: float | None


class RecordedFix(Row):
    """A fix as stored in app.pattern_fixes (parameters as JSON text)."""

    created_at: dt.datetime
    pattern_key: str
    fix_description: str
    effectiveness: str | None
    fix_parameters: str | None
    reported_by: str
    fix_id: int


def failure_patterns(
    conn: psycopg.Connection,
    *,
    key: str | None = None,
    severities: list[str] | None = None,
    values: Mapping[str, str | None] | None = None,
    min_support: int = 0,
    since_at: dt.datetime | None = None,
    until_at: dt.datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[FailurePattern], int]:
    """Surfaced patterns by impact (with `key`: that pattern or the one it is an alias of, first)
    and how many match over all pages; `values` keeps patterns with those dimension values."""
    wanted = {d: (values or {}).get(d) for d in DIMENSIONS}
    return fetch_page(
        conn,
        "failure_patterns",
        FailurePattern,
        key=key,
        severities=severities,
        min_support=min_support,
        since_at=since_at,
        until_at=until_at,
        limit=limit,
        offset=offset,
        **wanted,
    )


def find_pattern(conn: psycopg.Connection, key: str) -> FailurePattern | None:
    """The surfaced pattern with this key, or the one with this key among its aliases."""
    found, _ = failure_patterns(conn, key=key, limit=1)
    return found[0] if found else None


def pattern_occurrences(
    conn: psycopg.Connection,
    key: str,
    *,
    start_at: dt.datetime | None = None,
    end_at: dt.datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Occurrence], int]:
    """The pattern's failing segments evaluated in [start_at, end_at), newest first."""
    return fetch_page(
        conn,
        "pattern_occurrences",
        Occurrence,
        key=key,
        start_at=start_at,
        end_at=end_at,
        limit=limit,
        offset=offset,
    )


def failed_segments(
    conn: psycopg.Connection,
    values: Mapping[str, str],
    *,
    start_at: dt.datetime,
    end_at: dt.datetime,
    limit: int,
) -> list[FailedSegment]:
    """Failing segments with these dimension values evaluated in [start_at, end_at), newest
    first (a heatmap cell's drill-down: any combination, pattern or not)."""
    unknown = set(values) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown dimensions {sorted(unknown)}; expected some of {DIMENSIONS}")
    wanted = {d: values.get(d) for d in DIMENSIONS}
    return fetch(
        conn,
        "failed_segments",
        FailedSegment,
        start_at=start_at,
        end_at=end_at,
        limit=limit,
        **wanted,
    )


def period_failure_counts(conn: psycopg.Connection, start: dt.date, end: dt.date) -> dict[str, int]:
    """Failing segments per pattern on the days start to end (marts.daily_pattern_failures)."""
    rows = fetch_dicts(conn, "pattern_period_failures", start=start, end=end)
    return {row["pattern_key"]: int(row["period_failure_count"]) for row in rows}


def pattern_daily_rates(
    conn: psycopg.Connection, key: str, start: dt.date, end: dt.date
) -> list[DailyRate]:
    """The pattern's daily rate against the rest on the days start to end, oldest first (its
    sparkline); days with no segment of the pattern are missing."""
    return fetch(conn, "pattern_daily_rates", DailyRate, key=key, start=start, end=end)


def fix_counts(conn: psycopg.Connection) -> dict[str, int]:
    """Fixes recorded per pattern key (app.pattern_fixes)."""
    rows = fetch_dicts(conn, "pattern_fix_counts")
    return {row["pattern_key"]: int(row["fix_count"]) for row in rows}


def recorded_fixes(conn: psycopg.Connection, key: str | None = None) -> list[RecordedFix]:
    """Fixes recorded for a pattern key (None: all), newest first."""
    return fetch(conn, "recorded_fixes", RecordedFix, key=key)


class FixMeasurement(Row):
    """What a fix's pattern did after it, from the data (marts.fix_effectiveness).

    A fix recorded since the last refresh has none yet.
    """

    fix_id: int
    measured_verdict: Literal["verified", "ineffective", "too_early"] = Field(
        description="verified: fewer failures after (exact test) or its pattern's resolution "
        "is credited to it; ineffective: enough segments since and no significant drop; "
        "too_early: neither."
    )
    before_failure_rate: float | None
    after_failure_rate: float | None
    after_total_count: int | None
    required_after_count: int | None = Field(
        description="Segments needed after the fix to see the rate halve; null without "
        "failures before."
    )
    explained_by_changes: str | None = Field(
        description="Version changes judged an improvement near the fix that account for its "
        "pattern's fall, joined by '; ' (null: none)."
    )
    masked_by_changes: str | None = Field(
        description="For a fix not verified: version changes judged a regression near it "
        "without whose segments its pattern fell significantly after it, joined by '; ' (null: "
        "none). They may hide what the fix did."
    )
    rose_again_on: dt.date | None = Field(
        description="The day its pattern rose again after the fix had held (verified on the "
        "days between, which are all the rates and the verdict count); null: no such return."
    )


def fix_measurements(conn: psycopg.Connection) -> dict[int, FixMeasurement]:
    """Every measured fix, by fix id. None before a refresh has built marts.fix_effectiveness
    with every column read here (not built yet, or built by an earlier failmap: the next
    refresh rebuilds it), so a fix then reads as not measured instead of failing its page."""
    if not set(FixMeasurement.model_fields) <= relation_columns(conn, "marts", "fix_effectiveness"):
        return {}
    return {row.fix_id: row for row in fetch(conn, "fix_measurements", FixMeasurement)}
