"""Failure rates as the dashboard writes them in sentences and metrics."""

from __future__ import annotations


def rate_text(rate: float | None) -> str:
    """Whole percents; under 1 % one decimal, so 0.4 % is not '0%'; under 0.1 % '<0.1%', so a
    rare failure's 0.045 % is not '0.0%' (never). The pattern sentences built in dbt
    (`percent_text`) follow the same rule."""
    if rate is None:
        return "–"
    if 0 < rate < 0.001:
        return "<0.1%"
    return f"{rate:.1%}" if 0 < rate < 0.01 else f"{rate:.0%}"
