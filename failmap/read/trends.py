"""Daily failure trends and version changes (marts.daily_failure_trends, marts.change_events)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import psycopg
from pydantic import Field

from failmap.read.core import Row, fetch_dicts, fetch_page

TREND_RELATIONS = ("marts.daily_failure_trends",)
CHANGE_RELATIONS = ("marts.change_events",)

ChangeVerdict = Literal["regression", "improvement", "no_change", "insufficient_data"]


class TrendPoint(Row):
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
    explained_by_change: str | None = Field(
        description="The version change that explains a flagged day, if one does."
    )


class ChangeEvent(Row):
    """A workflow or model version change and its verdict (marts.change_events).

    The old version's failure rate before the change against the new version's from the change
    on, each on its own version's segments; the verdict compares them within what ran with them
    (the other kind's versions), so a concurrent change is not credited to this one. Method and
    parameters in docs/trends.md.
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
    rate_ratio: float | None = Field(
        description="The new version's failure rate over the old one's within the compared "
        "strata (Mantel-Haenszel); rate_after / rate_before when one stratum holds everything."
    )
    rate_ratio_lower: float | None
    rate_ratio_upper: float | None = Field(description="Null when the interval is unbounded.")
    pass_ratio_lower: float | None = Field(
        description="The same interval for the pass rates' ratio: `no_change` needs both "
        "intervals inside the no-change band (near 100 % failures only the pass rate can show "
        "a breakage; docs/trends.md)."
    )
    pass_ratio_upper: float | None = Field(description="Null when the interval is unbounded.")
    rate_difference: float | None = Field(
        description="rate_after - rate_before within the compared strata; null when none is."
    )
    rate_difference_lower: float | None = Field(
        description="Its interval: `no_change` also holds when it lies within one point either "
        "way (near 0 % a ratio is unstable; docs/trends.md)."
    )
    rate_difference_upper: float | None
    p_value: float | None = Field(
        description="Two-sided test of equal rates within the strata: Fisher's exact test with "
        "one stratum, Cochran-Mantel-Haenszel with several; null when none is compared."
    )
    stratum_count: int = Field(
        description="Strata (the other kind's value and version class: models for a workflow "
        "change, workflows for a model change) with segments of both versions; the verdict "
        "compares the versions only within them. 0: nothing ran alike on both sides."
    )
    compared_share: float = Field(description="Share of the two windows' segments in those strata.")
    verdict: ChangeVerdict = Field(
        description="`regression`/`improvement`: significant, by direction; `no_change`: any "
        "effect too small to matter; `insufficient_data`: too few segments to tell."
    )
    is_after_window_complete: bool = Field(
        description="The after window has passed: the verdict will not change any more."
    )
    concurrent_changes: str | None = Field(
        description="The changes of the other kind (model for a workflow, workflow for a model) "
        "in the days this one compares, of a workflow or model that ran with it, nearest first, "
        "joined by '; ' (null: none). The verdict is judged within the other kind's version "
        "classes, so a significant one among them is not counted as this change's effect."
    )
    concurrent_flagged_count: int = Field(
        description="How many of `concurrent_changes` are a regression or an improvement."
    )


def trend_points(
    conn: psycopg.Connection,
    *,
    dimension: str | None = None,
    value: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    flagged_only: bool = False,
    newest_first: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[TrendPoint], int]:
    """Days x dimension values with their rate against the baseline and flags, and how many
    match over all pages (`dimension="overall"` is the whole data)."""
    return fetch_page(
        conn,
        "trend_points",
        TrendPoint,
        dimension=dimension,
        value=value,
        start=start,
        end=end,
        flagged_only=flagged_only,
        newest_first=newest_first,
        limit=limit,
        offset=offset,
    )


def trend_series_values(conn: psycopg.Connection) -> dict[str, list[str]]:
    """The values that have a daily series, per dimension (sorted)."""
    series: dict[str, list[str]] = {}
    for row in fetch_dicts(conn, "trend_series_values"):
        series.setdefault(row["dimension"], []).append(row["dimension_value"])
    return series


def change_events(
    conn: psycopg.Connection,
    *,
    dimension: str | None = None,
    value: str | None = None,
    version: str | None = None,
    verdicts: list[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[ChangeEvent], int]:
    """Version changes first run on the days start to end, newest first, and how many match."""
    return fetch_page(
        conn,
        "change_events",
        ChangeEvent,
        dimension=dimension,
        value=value,
        version=version,
        verdicts=verdicts,
        start=start,
        end=end,
        limit=limit,
        offset=offset,
    )
