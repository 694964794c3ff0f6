"""Failure rates as the dashboard writes them in sentences and metrics."""

from __future__ import annotations

import math

import pandas as pd


def rate_text(rate: float | None) -> str:
    """Whole percents; under 1 % one decimal, so 0.4 % is not '0%'; under 0.1 % '<0.1%', so a
    rare failure's 0.045 % is not '0.0%' (never). The pattern sentences built in dbt
    (`percent_text`) follow the same rule."""
    if rate is None or math.isnan(rate):  # NaN: a mart without the column, read by pandas
        return "–"
    if 0 < rate < 0.001:
        return "<0.1%"
    return f"{rate:.1%}" if 0 < rate < 0.01 else f"{rate:.0%}"


def now_text(rate: float | None, segments: float | None) -> str:
    """'Fails 26% now (226 segments since its latest change).' for a pattern's
    current_failure_rate and current_segment_count, or '' when the mart has none (None or NaN).
    The rate a pattern fails at now is what its severity, the pattern tables' Now column and the
    configuration check use."""
    if rate is None or segments is None or math.isnan(rate) or math.isnan(segments):
        return ""
    return f"Fails {rate_text(rate)} now ({int(segments):,} segments since its latest change)."


def window_text(starts_on: object) -> str:
    """'Found in the recent window from Dec 05, 2026 only: ...' for a pattern's window_starts_on
    (its counts, rates, baseline and interval are that window's), or '' for a pattern the whole
    history surfaces (None, NaT)."""
    if starts_on is None or pd.isna(starts_on):
        return ""
    return (
        f"Found in the recent window from {pd.Timestamp(starts_on):%b %d, %Y} only: its counts, "
        "baseline and interval are that window's"
    )
