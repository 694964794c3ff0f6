"""A pattern's status, refinements, top reasons and daily sparkline, as the pages show them.

The columns come from marts.failure_patterns through failmap/read (issues 12 and 13): status
(emerging / active / inactive / resolved) and the day it began, the parent a pattern refines,
the most frequent failure reasons and failing checks with their shares, and the fix a resolved
pattern's fall is credited to. Nothing here computes a number; it only words what the mart holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Literal

import altair as alt
import pandas as pd

from failmap.read.patterns import CURRENT_STATUSES
from lib.days import day_text

STATUSES = ("emerging", "active", "inactive", "resolved")
# "Current" patterns still fail above their baseline: the lists and counts that say what costs
# failures now leave out resolved ones and inactive ones (no segments lately: not failing now,
# though not known to be fixed either; the configuration check still warns about them).
CURRENT = CURRENT_STATUSES
STATUS_NAMES = {
    "emerging": "Emerging",
    "active": "Active",
    "inactive": "Inactive",
    "resolved": "Resolved",
}
STATUS_HELP = (
    "Emerging: began failing above its baseline recently. Active: still fails above it. "
    "Inactive: none of its segments since the day shown (a week or more): not failing now, "
    "not known to be fixed; checking a configuration in it still warns. "
    "Resolved: back at its baseline."
)
BadgeColor = Literal["orange", "red", "gray", "green"]
STATUS_COLORS: dict[str, BadgeColor] = {
    "emerging": "orange",
    "active": "red",
    "inactive": "gray",
    "resolved": "green",
}
STATUS_ICONS = {
    "emerging": ":material/trending_up:",
    "active": ":material/error:",
    "inactive": ":material/pause_circle:",
    "resolved": ":material/check_circle:",
}
# The week "new" and "resolved" count over: the 7 days ending on the data's last day.
WEEK_DAYS = 7


def _day(value: object) -> dt.date | None:
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):  # type: ignore[arg-type]
        return None
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def status_text(
    status: object, since: object, *, explained: bool = False, returned_after: object = None
) -> str:
    """'Emerging since Nov 30' (the day the status began); 'Active' when no day is known.
    `explained` says what an inactive one means where there is room (a badge, not a table
    cell): 'Inactive since Nov 30: no segments since'. A pattern back after a fall of its own
    (`returned_after`, the fall's day) is not new: 'Emerging since Nov 30 (back)', explained
    'Emerging since Nov 30: back after its fall on Oct 01'."""
    name = STATUS_NAMES.get(str(status), str(status).capitalize())
    day = _day(since)
    if not day:
        return name
    note = ": no segments since" if explained and status == "inactive" else ""
    fell = _day(returned_after) if status in CURRENT else None
    if fell:
        note = f": back after its fall on {day_text(fell)}" if explained else " (back)"
    return f"{name} since {day_text(day)}{note}"


def status_labels(patterns: pd.DataFrame, *, explained: bool = False) -> list[str]:
    """status_text of each row of `patterns` (status, status_since, returned_after): the
    status column of the pattern tables; `explained` where there is room (a sentence)."""
    return [
        status_text(status, since, explained=explained, returned_after=fell)
        for status, since, fell in zip(
            patterns["status"], patterns["status_since"], patterns["returned_after"], strict=True
        )
    ]


def shares_text(shares: object, limit: int = 3) -> str:
    """'motion artifacts 62% · face drift 20%': the top values and their shares, or '–'."""
    items = _shares(shares)[:limit]
    if not items:
        return "–"
    return " · ".join(f"{value} {share:.0%}" for value, share in items)


def _shares(shares: object) -> list[tuple[str, float]]:
    """The (value, share) pairs of a top_failure_reasons / top_failing_checks cell."""
    if shares is None or isinstance(shares, float):  # a missing cell reads as NaN
        return []
    pairs = []
    for item in shares if isinstance(shares, Iterable) else []:
        if isinstance(item, Mapping):
            value, share = item.get("value"), item.get("share")
        else:
            value, share = getattr(item, "value", None), getattr(item, "share", None)
        if value is not None and share is not None:
            pairs.append((str(value), float(share)))
    return pairs


def shares_frame(shares: object, what: str) -> pd.DataFrame:
    """A top-reasons cell as a table: `what` and `share_percent` (for a progress column)."""
    pairs = _shares(shares)
    return pd.DataFrame(
        {what: [value for value, _ in pairs], "share_percent": [share * 100 for _, share in pairs]}
    )


def current(patterns: pd.DataFrame) -> pd.DataFrame:
    """The patterns that still fail above their baseline (inactive and resolved ones left
    out)."""
    return patterns[patterns["status"].isin(CURRENT)]


def top_level(patterns: pd.DataFrame) -> pd.DataFrame:
    """Patterns listed first: no parent, or a parent not among `patterns` (filtered out)."""
    parents = patterns["parent_pattern_key"]
    return patterns[parents.isna() | ~parents.isin(patterns["pattern_key"])]


def children(patterns: pd.DataFrame, key: str) -> pd.DataFrame:
    """The patterns refining `key` (their parent_pattern_key), by impact as listed."""
    return patterns[patterns["parent_pattern_key"] == key]


def week_changes(
    patterns: pd.DataFrame, last_day: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(patterns that started in the week ending `last_day` and still fail, those of them back
    after a fall of their own, patterns resolved in it): what Overview calls new, back and
    resolved this week. A pattern back is not new."""
    first_day = last_day - dt.timedelta(days=WEEK_DAYS - 1)

    def in_week(column: str) -> pd.Series:
        days = pd.to_datetime(patterns[column]).dt.date
        return (days >= first_day) & (days <= last_day)

    started = patterns[in_week("started_on") & patterns["status"].isin(CURRENT)]
    is_back = started["returned_after"].notna()
    resolved = patterns[in_week("status_since") & (patterns["status"] == "resolved")]
    return started[~is_back], started[is_back], resolved


def sparkline(days: pd.DataFrame) -> alt.Chart:
    """The pattern's daily failure rate (red) against every other segment's (grey)."""
    long = days.melt(
        id_vars=["day"],
        value_vars=["failure_rate", "rest_failure_rate"],
        var_name="series",
        value_name="rate",
    ).dropna(subset=["rate"])
    long["series"] = long["series"].map(
        {"failure_rate": "This pattern", "rest_failure_rate": "Every other segment"}
    )
    base = alt.Chart(long).encode(
        x=alt.X("day:T", title=None, axis=alt.Axis(format="%b %d", labelFontSize=10)),
        y=alt.Y("rate:Q", title=None, axis=alt.Axis(format="%", tickCount=3, labelFontSize=10)),
        color=alt.Color(
            "series:N",
            title=None,
            scale=alt.Scale(
                domain=["This pattern", "Every other segment"], range=["#d62728", "#999999"]
            ),
            legend=alt.Legend(orient="top", labelFontSize=11),
        ),
        tooltip=[
            alt.Tooltip("day:T", title="Day", format="%Y-%m-%d"),
            alt.Tooltip("series:N", title="Series"),
            alt.Tooltip("rate:Q", title="Failure rate", format=".0%"),
        ],
    )
    return base.mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=12)).properties(height=180)
