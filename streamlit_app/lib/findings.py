"""Chart titles that state what the data shows, written from a mart's rows (no new numbers)."""

from __future__ import annotations

import pandas as pd

from lib.dimensions import describe_cell, describe_value, label


def heatmap_title(cells: pd.DataFrame, x_dimension: str, y_dimension: str) -> str:
    """'Model m03 + action scenes fails most: 30% of 2,824 segments vs 9% overall'."""
    if cells.empty:
        return f"No segments for {label(x_dimension)} × {label(y_dimension)}"
    overall = float(cells["overall_rate"].iloc[0])
    if cells["prior_strength"].isna().all():
        return (
            f"No {label(x_dimension)} × {label(y_dimension)} combination stands out: "
            f"every cell is within chance of the {overall:.0%} overall rate"
        )
    top = cells.loc[cells["shrunk_failure_rate"].idxmax()]
    where = describe_cell({x_dimension: top["x_value"], y_dimension: top["y_value"]})
    return (
        f"{where} fails most: {top['failure_rate']:.0%} of {int(top['total_count']):,} "
        f"segments vs {overall:.0%} overall"
    )


def trend_title(series: pd.DataFrame, what: str, changes: pd.DataFrame | None = None) -> str:
    """The series' finding: its latest version change judged a regression (or improvement),
    else its flagged days ('action scenes: 2 regression days, latest Oct 20 at 25% vs 8%
    baseline'), else its range."""
    if series.empty:
        return f"{what}: no segments in the period"
    if changes is not None and not changes.empty:
        for verdict, verb in (("regression", "regressed"), ("improvement", "improved")):
            judged = changes[changes["verdict"] == verdict]
            if not judged.empty:
                change = judged.sort_values("changed_at").iloc[-1]
                return (
                    f"{what}: {change['label']} on {pd.Timestamp(change['changed_at']):%b %d} "
                    f"{verb} its segments from {change['rate_before']:.0%} to "
                    f"{change['rate_after']:.0%}"
                )
    regressions = series[series["regression_flag"]]
    improvements = series[series["improvement_flag"]]
    if not regressions.empty:
        latest = regressions.iloc[-1]
        count = len(regressions)
        return (
            f"{what}: {count} regression day{'s' if count > 1 else ''}, latest "
            f"{pd.Timestamp(latest['day']):%b %d} at {latest['failure_rate']:.0%} vs "
            f"{latest['baseline_rate']:.0%} baseline"
        )
    if not improvements.empty:
        latest = improvements.iloc[-1]
        return (
            f"{what} improved: {pd.Timestamp(latest['day']):%b %d} at "
            f"{latest['failure_rate']:.0%} vs {latest['baseline_rate']:.0%} baseline"
        )
    low, high = series["failure_rate"].min(), series["failure_rate"].max()
    return f"{what}: steady, no flagged day ({low:.0%}–{high:.0%} a day)"


def series_name(dimension: str, value: str) -> str:
    """'All segments' for overall, else 'Model m02', 'action scenes'..."""
    if dimension == "overall":
        return "All segments"
    text = describe_value(dimension, value)
    return text[0].upper() + text[1:]
