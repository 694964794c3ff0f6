"""The API's request and response schemas (pydantic); they are its published OpenAPI schema.

The configuration check's answer is `failmap.alerts.CheckResult` itself, and the rows of the
marts are the read layer's row types (`failmap.read`): the API publishes what the core returns,
it does not restate it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from failmap.alerts.configuration import MAX_SEGMENTS, MAX_VALUE_LENGTH
from failmap.dimensions import Dimension
from failmap.fixes import MAX_DESCRIPTION_LENGTH, MAX_REPORTED_BY_LENGTH
from failmap.read import errors as read_errors
from failmap.read.errors import (
    ErrorCategory,
    ErrorSignature,
    ErrorTrendPoint,
    PhaseErrors,
    Recommendation,
)
from failmap.read.heatmap import HeatmapCell
from failmap.read.patterns import FailurePattern, Occurrence, Severity
from failmap.read.trends import ChangeEvent, ChangeVerdict, TrendPoint

# The rows the API publishes are the read layer's row types (failmap/read): a column added
# there is published here with no second definition.
Pattern = FailurePattern
PatternSeverity = Severity
Effectiveness = Literal["resolved", "improved", "no_effect"]

Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    """One page of a long list: the rows, how many there are in all, and where this page is."""

    items: list[Item]
    total: int = Field(description="Rows matching the filters, over all pages.")
    limit: int
    offset: int


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


class ErrorSummary(read_errors.ErrorSummary):
    """Run and error totals of the period (marts.error_summary, marts.run_errors)."""

    period: ErrorPeriod


class ErrorPatterns(BaseModel):
    """Error categories and a page of their signatures in the period."""

    period: ErrorPeriod
    categories: list[ErrorCategory] = Field(
        description="Every category of the period (one row each, a few at most)."
    )
    signatures: Page[ErrorSignature] = Field(
        description="Signatures by category, most failed runs first; `limit`/`offset` page them."
    )


class ErrorTrends(BaseModel):
    """Daily failed runs per category in the period."""

    period: ErrorPeriod
    points: list[ErrorTrendPoint]


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


__all__ = [
    "ChangeEvent",
    "ChangeVerdict",
    "CheckRequest",
    "Dimension",
    "Effectiveness",
    "ErrorCategory",
    "ErrorDetail",
    "ErrorPatterns",
    "ErrorPeriod",
    "ErrorSignature",
    "ErrorSummary",
    "ErrorTrendPoint",
    "ErrorTrends",
    "Fix",
    "FixRequest",
    "Health",
    "Heatmap",
    "HeatmapCell",
    "Occurrence",
    "Page",
    "Pattern",
    "PatternSeverity",
    "PhaseErrors",
    "Recommendation",
    "Recommendations",
    "TrendPoint",
]
