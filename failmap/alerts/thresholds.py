"""Thresholds of the configuration check, with the reasons for them (docs/alerts.md).

The severity thresholds are the pattern engine's (dbt vars `severity_*`, `min_risk_ratio`,
`confidence_level` in dbt_project.yml; a test keeps them equal), so a configuration that is
exactly a surfaced pattern gets the severity the pattern list shows.
"""

from __future__ import annotations

from typing import Literal

# What a check can say of a configuration (`none`: nothing worse than typical).
Severity = Literal["none", "low", "medium", "high"]
SEVERITIES: tuple[Severity, ...] = ("none", "low", "medium", "high")

# Two-sided level of the predicted-rate interval (dbt var `confidence_level`).
CONFIDENCE_LEVEL = 0.95

# high: at least every third segment is rework and 3x the typical rate.
SEVERITY_HIGH_FAILURE_RATE = 0.35
SEVERITY_HIGH_RISK_RATIO = 3.0
# medium: a sizeable share of rework (15 %) or twice the typical rate.
SEVERITY_MEDIUM_FAILURE_RATE = 0.15
SEVERITY_MEDIUM_RISK_RATIO = 2.0
# low: 1.5x the typical rate, the smallest difference the pattern engine calls a pattern.
MIN_RISK_RATIO = 1.5

# Alternatives: a swapped value must have been used with each of the configuration's other
# chosen values in at least this many segments (the data behind "5% instead of 48%" is then
# about this combination, not a guess from elsewhere).
ALTERNATIVE_MIN_SUPPORT = 30
# Only tools are swapped: the workflow, the model and the LoRA. Character and scene type are
# what the story needs, not a setting to change.
SWAPPABLE_DIMENSIONS: tuple[str, ...] = ("workflow", "model", "lora")
MAX_ALTERNATIVES = 3


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


def worst(severities: list[Severity] | tuple[Severity, ...]) -> Severity:
    """The most severe of the given severities (`none` for none)."""
    return max(severities, key=severity_rank, default="none")


def rate_severity(predicted: float, lower: float, overall_rate: float) -> Severity:
    """Severity from a predicted rate alone, against the typical (overall) rate.

    Only a configuration credibly worse than typical (the interval's lower bound above the
    overall rate) by at least `MIN_RISK_RATIO` gets a severity from its rate, as a surfaced
    pattern must; then the pattern engine's thresholds apply.
    """
    if overall_rate <= 0 or lower <= overall_rate:
        return "none"
    ratio = predicted / overall_rate
    if ratio < MIN_RISK_RATIO:
        return "none"
    if predicted >= SEVERITY_HIGH_FAILURE_RATE and ratio >= SEVERITY_HIGH_RISK_RATIO:
        return "high"
    if predicted >= SEVERITY_MEDIUM_FAILURE_RATE or ratio >= SEVERITY_MEDIUM_RISK_RATIO:
        return "medium"
    return "low"
