"""The API's request and response schemas (pydantic); they are its published OpenAPI schema.

The configuration check's answer is `failmap.alerts.CheckResult` itself: the API publishes what
the core returns, it does not restate it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from failmap.alerts.configuration import MAX_SEGMENTS, MAX_VALUE_LENGTH
from failmap.fixes import MAX_DESCRIPTION_LENGTH, MAX_REPORTED_BY_LENGTH

Dimension = Literal["workflow", "model", "lora", "character", "scene_type", "segment_position"]
PatternSeverity = Literal["low", "medium", "high"]
Effectiveness = Literal["resolved", "improved", "no_effect"]

Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    """One page of a long list: the rows, how many there are in all, and where this page is."""

    items: list[Item]
    total: int = Field(description="Rows matching the filters, over all pages.")
    limit: int
    offset: int


class Pattern(BaseModel):
    """A surfaced failure pattern (a row of marts.failure_patterns)."""

    pattern_key: str = Field(
        description="Stable id, e.g. `lora=l07|character=c12|segment_position=6+`; URL-encode it "
        "in paths."
    )
    description: str
    dimensions: dict[str, str] = Field(description="The pattern's dimensions and their values.")
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
    severity: PatternSeverity
    last_occurrence: dt.datetime | None
    first_detected_at: dt.datetime | None
    last_seen_at: dt.datetime | None


class Occurrence(BaseModel):
    """A failing segment of a pattern (marts.pattern_occurrences)."""

    segment_id: str
    job_id: str
    scene_id: str | None
    evaluated_at: dt.datetime
    failed_checks: list[str]
    failure_reasons: list[str | None]


class HeatmapCell(BaseModel):
    """One cell of a two-dimension heatmap (marts.failure_heatmap), in the asked orientation."""

    x_value: str
    y_value: str
    total_count: int
    failure_count: int
    failure_rate: float
    shrunk_failure_rate: float = Field(description="Rate shrunk toward the overall rate.")
    is_pattern: bool
    pattern_key: str | None


class Heatmap(BaseModel):
    """The cells of the x/y dimension pair, over all history or the period asked."""

    x: Dimension
    y: Dimension
    since: dt.date | None = Field(description="First day of the period; null: from the start.")
    until: dt.date | None = Field(description="Last day of the period; null: to the end.")
    overall_rate: float | None = Field(
        description="Failed segments / segments over the pair's cells (in the period)."
    )
    cells: list[HeatmapCell]


class TrendPoint(BaseModel):
    """One day of one dimension value (marts.daily_failure_trends)."""

    day: dt.date
    dimension: str
    dimension_value: str
    total_count: int
    failure_count: int
    failure_rate: float | None
    baseline_rate: float | None
    regression_flag: bool
    improvement_flag: bool


ChangeVerdict = Literal["regression", "improvement", "no_change", "insufficient_data"]


class ChangeEvent(BaseModel):
    """A workflow or model version change and its verdict (marts.change_events).

    The old version's failure rate before the change against the new version's from the change
    on, each on its own version's segments; method and parameters in docs/trends.md.
    """

    change_key: str = Field(description="Stable id, e.g. `model=m02|1.4->1.5|2026-02-10`.")
    dimension: Literal["workflow", "model"]
    dimension_value: str = Field(description="The workflow or model whose version changed.")
    from_version: str
    to_version: str
    changed_on: dt.date = Field(description="First day (UTC) the new version ran.")
    changed_at: dt.datetime
    is_rollback: bool = Field(description="The new version had run before: a rollback.")
    before_day_count: int | None
    before_total_count: int
    before_failure_count: int
    rate_before: float | None
    after_day_count: int | None
    after_total_count: int
    after_failure_count: int
    rate_after: float | None
    rate_ratio: float | None = Field(description="rate_after / rate_before.")
    rate_ratio_lower: float | None
    rate_ratio_upper: float | None = Field(description="Null when the interval is unbounded.")
    p_value: float | None = Field(description="Two-sided exact test of equal rates.")
    verdict: ChangeVerdict = Field(
        description="`regression`/`improvement`: significant, by direction; `no_change`: any "
        "effect too small to matter; `insufficient_data`: too few segments to tell."
    )
    is_after_window_complete: bool = Field(
        description="The after window has passed: the verdict will not change any more."
    )


class FixRequest(BaseModel):
    """A fix someone found for a pattern; validated by `failmap.fixes.record_fix`."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION_LENGTH)
    reported_by: str = Field(min_length=1, max_length=MAX_REPORTED_BY_LENGTH)
    effectiveness: Effectiveness | None = None
    parameters: dict[str, Any] | None = Field(
        default=None, description='Settings that fixed it, e.g. {"cfg_scale": 6}.'
    )


class Fix(BaseModel):
    """A recorded fix (app.pattern_fixes) and the compatibility notes written with it."""

    fix_id: int
    pattern_key: str
    description: str
    parameters: dict[str, Any] | None
    effectiveness: Effectiveness | None
    reported_by: str
    created_at: dt.datetime
    note_ids: list[int]


class CheckRequest(BaseModel):
    """A configuration to check before generating it (see `failmap.alerts.check_configuration`).

    Give `segment_position` for one segment, `segments` for a whole scene, or neither for every
    position.
    """

    model_config = ConfigDict(extra="forbid")

    workflow: str = Field(min_length=1, max_length=MAX_VALUE_LENGTH)
    model: str = Field(min_length=1, max_length=MAX_VALUE_LENGTH)
    scene_type: str = Field(min_length=1, max_length=MAX_VALUE_LENGTH)
    lora: str | None = Field(default=None, max_length=MAX_VALUE_LENGTH)
    character: str | None = Field(default=None, max_length=MAX_VALUE_LENGTH)
    # A position (7) or a bucket label ("6+", "4-5"), as the CLI and the dashboard take it; the
    # core (failmap.alerts.configuration) checks the label and answers 422 naming the field.
    segment_position: (
        Annotated[int, Field(ge=1, le=10_000)]
        | Annotated[str, Field(min_length=1, max_length=MAX_VALUE_LENGTH)]
        | None
    ) = Field(default=None, examples=[7, "6+"])
    segments: int | None = Field(default=None, ge=1, le=MAX_SEGMENTS)


class ErrorPeriod(BaseModel):
    """The UTC days an error-analytics answer covers, both ends included."""

    start: dt.date
    end: dt.date
    days: int


class ErrorSummary(BaseModel):
    """Run and error totals of the period (marts.error_summary, marts.run_errors)."""

    period: ErrorPeriod
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


class PhaseErrors(BaseModel):
    """One pipeline phase over the period (marts.phase_error_breakdown summed per phase)."""

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


class ErrorCategory(BaseModel):
    """An error category of the period with the catalog's advice."""

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


class ErrorSignature(BaseModel):
    """A message signature of the period (marts.run_errors x marts.error_signatures)."""

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


class ErrorPatterns(BaseModel):
    """Error categories and a page of their signatures in the period."""

    period: ErrorPeriod
    categories: list[ErrorCategory] = Field(
        description="Every category of the period (one row each, a few at most)."
    )
    signatures: Page[ErrorSignature] = Field(
        description="Signatures by category, most failed runs first; `limit`/`offset` page them."
    )


class ErrorTrendPoint(BaseModel):
    """Failed runs of one category on one day (marts.error_trends)."""

    day: dt.date
    category: str
    failed_run_count: int
    error_count: int


class ErrorTrends(BaseModel):
    """Daily failed runs per category in the period."""

    period: ErrorPeriod
    points: list[ErrorTrendPoint]


class Recommendation(BaseModel):
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


class Recommendations(Page[Recommendation]):
    """A page of recommendations for issues seen in the period."""

    period: ErrorPeriod


class Health(BaseModel):
    """The API is up and its database answers."""

    status: Literal["ok"]
    database: Literal["reachable"]


class ErrorDetail(BaseModel):
    """What went wrong, for a person (503, 404, 401, 403)."""

    detail: str
