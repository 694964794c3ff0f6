"""Chart titles that state what the data shows, written from a mart's rows (no new numbers)."""

from __future__ import annotations

import pandas as pd

from failmap.pattern_keys import parse_key
from lib.days import day_text
from lib.dimensions import describe_cell, describe_value, label
from lib.rates import rate_text


def key_pairs(pattern_key: str) -> dict[str, str]:
    """'lora=l07|character=c12' -> {'lora': 'l07', 'character': 'c12'}."""
    return parse_key(pattern_key)


def describe_key(pattern_key: str) -> str:
    """'lora=l14' -> 'LoRA l14', as describe_cell says it."""
    return describe_cell(key_pairs(pattern_key))


def covering_pattern(patterns: pd.DataFrame, cell: dict[str, str]) -> tuple[str, str] | None:
    """The surfaced pattern a heatmap cell lies inside, as (its key, the key that matched).

    A cell lies inside a pattern when the pattern's key, or one of its aliases (other keys over
    exactly the same segments, e.g. `lora=l14` for `character=c14`), names only the cell's
    dimensions with the cell's values: every segment of the cell is then one of the pattern's.
    """
    cell_pairs = set(cell.items())
    for row in patterns.itertuples():
        aliases = [alias for alias in (row.aliases if row.aliases is not None else []) if alias]
        for key in (row.pattern_key, *aliases):
            if set(key_pairs(key).items()) <= cell_pairs:
                return row.pattern_key, key
    return None


def heatmap_title(cells: pd.DataFrame, x_dimension: str, y_dimension: str) -> str:
    """'Model m03 + action scenes fails most: estimated 30% (846 of 2,824 segments failed) vs
    8.7% overall'; a cell inside a pattern is named by the pattern ('Character c14 (LoRA l14)').

    The estimate is the number the cell shows (the rate pulled toward the overall rate when
    segments are few); the raw count follows it, so title and cell never disagree unexplained.
    `cells` may carry `pattern_key` / `matched_key` from `covering_pattern`.
    """
    if cells.empty:
        return f"No segments for {label(x_dimension)} × {label(y_dimension)}"
    overall = float(cells["overall_rate"].iloc[0])
    if cells["prior_strength"].isna().all():
        return (
            f"No {label(x_dimension)} × {label(y_dimension)} combination stands out: "
            f"every cell is within chance of the {overall:.1%} overall rate"
        )
    top = cells.loc[cells["shrunk_failure_rate"].idxmax()]
    where = describe_cell({x_dimension: top["x_value"], y_dimension: top["y_value"]})
    numbers = (
        f"estimated {rate_text(top['shrunk_failure_rate'])} ({int(top['failure_count']):,} of "
        f"{int(top['total_count']):,} segments failed) vs {overall:.1%} overall"
    )
    pattern = top.get("covering_key") if "covering_key" in top.index else None
    if isinstance(pattern, str) and pattern:
        name = describe_key(pattern)
        matched = str(top.get("matched_key") or pattern)
        if matched != pattern:
            name += f" ({describe_key(matched)})"
        name = name[0].upper() + name[1:]
        return f"{name} fails most; worst cell {where}: {numbers}"
    return f"{where} fails most: {numbers}"


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
                # "Model m02: 1.4→1.5 on ...", not "Model m02: Model m02 1.4→1.5 on ...".
                name = str(change["label"]).removeprefix(what).strip()
                return (
                    f"{what}: {name} on {day_text(change['changed_at'])} "
                    f"{verb} its segments from {rate_text(change['rate_before'])} to "
                    f"{rate_text(change['rate_after'])}"
                )
    regressions = series[series["regression_flag"]]
    improvements = series[series["improvement_flag"]]
    if not regressions.empty:
        latest = regressions.iloc[-1]
        count = len(regressions)
        return (
            f"{what}: {count} regression day{'s' if count > 1 else ''}, latest "
            f"{day_text(latest['day'])} at {rate_text(latest['failure_rate'])} vs "
            f"{rate_text(latest['baseline_rate'])} baseline"
        )
    if not improvements.empty:
        latest = improvements.iloc[-1]
        return (
            f"{what} improved: {day_text(latest['day'])} at "
            f"{rate_text(latest['failure_rate'])} vs {rate_text(latest['baseline_rate'])} baseline"
        )
    low, high = series["failure_rate"].min(), series["failure_rate"].max()
    return f"{what}: steady, no flagged day ({rate_text(low)}–{rate_text(high)} a day)"


def series_name(dimension: str, value: str) -> str:
    """'All segments' for overall, else 'Model m02', 'action scenes'..."""
    if dimension == "overall":
        return "All segments"
    text = describe_value(dimension, value)
    return text[0].upper() + text[1:]


def describe_change(change_key: object) -> str:
    """A change_events key as words: 'model=m02|1.5->1.4|2026-11-22' -> 'Model m02 1.5→1.4
    on Nov 22'; nothing (no change explains the flag) -> 'no version change'."""
    if not isinstance(change_key, str) or not change_key:
        return "no version change"
    parts = change_key.split("|")
    if len(parts) != 3 or "=" not in parts[0]:
        return change_key
    what, versions, day = parts
    try:
        when = f" on {day_text(day)}"
    except ValueError:
        when = ""
    return f"{describe_key(what)} {versions.replace('->', '→')}{when}"
