"""What a configuration check returns: severity, predicted rate, patterns with fixes, alternatives.

Pydantic models, so the HTTP API can publish them as its schema; `CheckResult.to_dict()` gives
JSON-ready data (what `failmap check --json` prints) and `CheckResult.summary()` the readable
text the CLI prints.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from pydantic import BaseModel, Field

from failmap.alerts.configuration import LABELS

Severity = Literal["none", "low", "medium", "high"]  # as failmap.alerts.thresholds.Severity


def percent(rate: float | None) -> str:
    """A rate as a percentage for people: whole percents, one decimal below 10 %, "<0.1%" above 0
    but below 0.1 % (one decimal would print a rare failure's 0.045 % as "0.0%": never)."""
    if rate is None:
        return "n/a"
    value = rate * 100
    if 0 < value < 0.1:
        return "<0.1%"
    if 0 < value < 10:
        return f"{value:.1f}%"
    return f"{value:.0f}%"


class KnownFix(BaseModel):
    """A fix someone recorded for a pattern (app.pattern_fixes)."""

    fix_id: int
    pattern_key: str
    description: str
    parameters: dict[str, Any] | None = None
    effectiveness: Literal["resolved", "improved", "no_effect"] | None = None
    reported_by: str
    created_at: dt.datetime
    measured_verdict: Literal["verified", "ineffective", "too_early"] | None = Field(
        default=None,
        description="What the data says of it (marts.fix_effectiveness): verified, ineffective "
        "or too_early; null until a refresh after it was recorded.",
    )
    before_failure_rate: float | None = Field(
        default=None, description="The pattern's failure rate in the 28 days before the fix."
    )
    after_failure_rate: float | None = Field(
        default=None, description="Its failure rate on every day since."
    )
    masked_by_changes: list[str] = Field(
        default_factory=list,
        description="For a fix not verified: version changes judged a regression near it "
        "without whose segments its pattern fell significantly after it (change keys, nearest "
        "first). They may hide what the fix did.",
    )
    rose_again_on: dt.date | None = Field(
        default=None,
        description="The day its pattern rose again after the fix had held: verified on the "
        "days up to then (the rates above); null: no such return.",
    )


class ReasonShare(BaseModel):
    """A failure reason and the share of a pattern's failed segments that have it."""

    value: str
    share: float


class MatchedPattern(BaseModel):
    """A surfaced pattern the configuration lies in (at the listed position buckets)."""

    pattern_key: str
    matched_by: str = Field(description="The pattern's key or the alias the configuration matched.")
    description: str
    severity: Literal["low", "medium", "high"] = Field(
        description="From the rate it fails at now (marts.failure_patterns.severity)."
    )
    failure_rate: float = Field(
        description="The rate it fails at now (current_failure_rate); the counts are its whole "
        "history."
    )
    failure_count: int
    total_count: int
    position_buckets: list[str] = Field(description="Position buckets of the check it applies to.")
    configuration_rate: float | None = Field(
        default=None,
        description="Its rate now shifted to the configuration's other values (how they fare "
        "within it); the highest over the check's position buckets.",
    )
    fares_better: bool = Field(
        default=False,
        description="The configuration's values put it materially below the pattern (the rate "
        "above is under failure_rate / 1.5) in every bucket: the check does not take the "
        "pattern's severity.",
    )
    fixes: list[KnownFix] = Field(default_factory=list)
    status: Literal["emerging", "active", "inactive"] = Field(
        default="active",
        description="emerging (began failing above its baseline recently), active, or inactive "
        "(no segments since status_since: not failing now, as nothing of it runs, but it warns "
        "when picked again); resolved patterns are not matched.",
    )
    status_since: dt.date | None = Field(default=None, description="The day the status began.")
    returned_after: dt.date | None = Field(
        default=None,
        description="When it began failing again after a significant fall of its own (it fell "
        "and came back: not new), the fall's day; null otherwise.",
    )
    top_failure_reasons: list[ReasonShare] = Field(
        default_factory=list,
        description="Its most frequent failure reasons, with their share of its failed segments.",
    )


class PositionPrediction(BaseModel):
    """The prediction for one position bucket of the configuration."""

    position_bucket: str
    positions: list[int] | None = Field(
        default=None, description="Scene positions in this bucket (with segments=N or a position)."
    )
    weight: float = Field(description="Share of the check's segments in this bucket.")
    predicted_failure_rate: float
    lower: float
    upper: float
    severity: Severity
    configuration_key: str
    observed_total_count: int = Field(description="Segments with exactly this configuration.")
    observed_failure_count: int
    background_rate: float
    pattern_rate: float | None
    prior_rate: float
    pattern_keys: list[str]


class ScenePrediction(BaseModel):
    """The whole scene of `segments` segments (with segments=N)."""

    segments: int
    predicted_failure_rate: float = Field(description="Mean predicted rate over its segments.")
    lower: float = Field(description="Mean of the per-position lower bounds (conservative).")
    upper: float
    expected_failed_segments: float
    probability_any_failure: float = Field(
        description="1 - prod(1 - p_i): at least one segment fails, if segments fail independently."
    )


class Alternative(BaseModel):
    """A single-dimension swap that credibly lowers the predicted rate."""

    dimension: str
    value: str
    current_value: str
    predicted_failure_rate: float
    lower: float
    upper: float
    current_failure_rate: float
    support: int = Field(
        description="Fewest segments the new value has with any of the other chosen values."
    )
    message: str


class CompatibilityNote(BaseModel):
    """A note on one of the configuration's values (app.compatibility_notes)."""

    note_id: int
    dimension: str
    dimension_value: str
    note: str
    fix_id: int | None
    reported_by: str
    created_at: dt.datetime


class CheckResult(BaseModel):
    """The outcome of `check_configuration`: a warning, never a refusal."""

    configuration: dict[str, Any]
    severity: Severity
    predicted_failure_rate: float = Field(description="Per segment, for this configuration.")
    lower: float
    upper: float
    confidence_level: float
    overall_failure_rate: float = Field(description="Failure rate of all segments (typical).")
    is_new_configuration: bool = Field(
        description="No segment of exactly this configuration on the days the prediction "
        "learns from: since the latest version change of its model or workflow judged a "
        "regression or improvement, or start or fall of a pattern it lies in (its whole "
        "history when there is none). It may have been generated before that day."
    )
    unknown_values: dict[str, str] = Field(
        default_factory=dict, description="Values never seen in the data, by dimension."
    )
    positions: list[PositionPrediction]
    scene: ScenePrediction | None = None
    patterns: list[MatchedPattern] = Field(default_factory=list)
    alternatives: list[Alternative] = Field(default_factory=list)
    notes: list[CompatibilityNote] = Field(default_factory=list)
    messages: list[str] = Field(default_factory=list)
    alert_id: int | None = Field(default=None, description="Its row in app.alert_log.")
    checked_at: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (timestamps as ISO 8601 text)."""
        return self.model_dump(mode="json")

    def summary(self) -> str:
        """Readable text: severity, prediction, positions, patterns with fixes, alternatives."""
        from failmap.alerts.configuration import Configuration

        config = Configuration(**self.configuration)
        interval = f"{percent(self.lower)}-{percent(self.upper)}"
        level = f"{self.confidence_level:.0%}"
        lines = [
            f"Configuration: {config.describe()}",
            f"Severity: {self.severity.upper()}",
            f"Predicted failure rate: {percent(self.predicted_failure_rate)} per segment "
            f"({level} interval {interval}; typical {percent(self.overall_failure_rate)})",
        ]
        if self.scene is not None:
            lines.append(
                f"Scene of {self.scene.segments} segments: "
                f"{self.scene.expected_failed_segments:.1f} failing segments expected; "
                f"at least one fails with probability {percent(self.scene.probability_any_failure)}"
            )
        if len(self.positions) > 1 or self.scene is not None:
            for position in self.positions:
                where = _positions_text(position)
                keys = f"  <- {', '.join(position.pattern_keys)}" if position.pattern_keys else ""
                lines.append(
                    f"  {where}: {percent(position.predicted_failure_rate)} "
                    f"({percent(position.lower)}-{percent(position.upper)})  "
                    f"{position.severity}{keys}"
                )
        lines.extend(self.messages)
        if self.patterns:
            lines.append("Patterns:")
            for pattern in self.patterns:
                alias = ""
                if pattern.matched_by != pattern.pattern_key:
                    alias = f" (as {pattern.matched_by})"
                since = f" since {pattern.status_since:%Y-%m-%d}" if pattern.status_since else ""
                if pattern.status == "inactive" and pattern.status_since:
                    since += ": no segments since"
                elif pattern.returned_after:
                    since += f", back after its fall on {pattern.returned_after:%Y-%m-%d}"
                lines.append(
                    f"  [{pattern.severity}, {pattern.status}{since}] {pattern.description}{alias}"
                )
                if pattern.fares_better and pattern.configuration_rate is not None:
                    lines.append(
                        f"      this configuration fares better within it: about "
                        f"{pattern.configuration_rate:.0%} (its severity is not taken)"
                    )
                if pattern.top_failure_reasons:
                    reasons = "; ".join(
                        f"{r.value} ({r.share:.0%})" for r in pattern.top_failure_reasons[:3]
                    )
                    lines.append(f"      top failure reasons: {reasons}")
                if not pattern.fixes:
                    lines.append(
                        "      no fix recorded yet: failmap fix add --pattern "
                        f"'{pattern.pattern_key}' ..."
                    )
                for fix in pattern.fixes:
                    reported = f"{fix.effectiveness}, " if fix.effectiveness else ""
                    measured = (
                        f"measured {fix.measured_verdict.replace('_', ' ')}"
                        + (
                            f" {percent(fix.before_failure_rate)} -> "
                            f"{percent(fix.after_failure_rate)}"
                            if fix.before_failure_rate is not None
                            and fix.after_failure_rate is not None
                            else ""
                        )
                        + ", "
                        if fix.measured_verdict
                        else ""
                    )
                    lines.append(
                        f"      fix #{fix.fix_id} ({reported}{measured}by {fix.reported_by}, "
                        f"{fix.created_at:%Y-%m-%d}): {fix.description}"
                    )
                    if fix.rose_again_on:
                        lines.append(
                            f"        it held until {fix.rose_again_on:%Y-%m-%d}, when the "
                            "pattern rose again"
                        )
                    if fix.masked_by_changes:
                        lines.append(
                            "        a regression may hide it (without its segments the "
                            f"pattern fell): {', '.join(fix.masked_by_changes)}"
                        )
                    if fix.parameters:
                        lines.append(f"        parameters: {json.dumps(fix.parameters)}")
        if self.alternatives:
            lines.append("Alternatives:")
            lines.extend(f"  {alternative.message}" for alternative in self.alternatives)
        shown_fixes = {fix.fix_id for pattern in self.patterns for fix in pattern.fixes}
        notes = [note for note in self.notes if note.fix_id not in shown_fixes]
        if notes:
            lines.append("Notes:")
            for note in notes:
                label = LABELS.get(note.dimension, note.dimension)
                lines.append(f"  {label} {note.dimension_value}: {note.note} ({note.reported_by})")
        return "\n".join(lines)


def _positions_text(position: PositionPrediction) -> str:
    if not position.positions:
        return f"segments {position.position_bucket}"
    first, last = position.positions[0], position.positions[-1]
    return f"segment {first}" if first == last else f"segments {first}-{last}"
