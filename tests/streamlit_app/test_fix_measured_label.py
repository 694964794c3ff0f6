"""A fix's measured verdict as a creator reads it: rates that keep small values, the segments a
too-early fix still needs, and never 'None'."""

from __future__ import annotations

import datetime as dt

import pytest
from lib.fixes import measured_label, measured_text
from lib.rates import now_text, rate_text, window_text

from failmap.read.patterns import FixMeasurement


def _measured(
    verdict: str,
    rate_before: float,
    rate_after: float | None,
    rose_again_on: dt.date | None = None,
    **counts: int,
) -> FixMeasurement:
    return FixMeasurement(
        fix_id=1,
        measured_verdict=verdict,
        before_failure_rate=rate_before,
        after_failure_rate=rate_after,
        after_total_count=counts.get("after", 0),
        required_after_count=counts.get("required"),
        explained_by_changes=None,
        masked_by_changes=None,
        rose_again_on=rose_again_on,
    )


@pytest.mark.parametrize(
    ("measurement", "shown"),
    [
        (None, "Not measured yet"),
        (_measured("verified", 0.257, 0.0889), "Verified: 26% → 9%"),
        (_measured("verified", 0.05, 0.004), "Verified: 5% → 0.4%"),
        (_measured("verified", 0.05, 0.00045), "Verified: 5% → <0.1%"),
        (_measured("verified", 0.3, 0.0), "Verified: 30% → 0%"),
        (_measured("ineffective", 0.22, 0.198), "No drop: 22% → 20%"),
        (_measured("too_early", 0.3, None, after=0, required=80), "Too early: 0 of 80 segments"),
        (
            _measured("too_early", 0.02, 0.01, after=1_200, required=2_345),
            "Too early: 1,200 of 2,345 segments",
        ),
        (_measured("too_early", 0.0, 0.0, after=50), "Too early: no failures before it"),
        (
            _measured("verified", 0.257, 0.086, dt.date(2025, 10, 30)),
            "Verified: 26% → 9%, held until Oct 30, 2025",
        ),
    ],
)
def test_measured_label(measurement: FixMeasurement | None, shown: str) -> None:
    assert measured_label(measurement) == shown


def test_a_checked_fix_names_the_regression_that_may_hide_it() -> None:
    fix = {
        "measured_verdict": "ineffective",
        "before_failure_rate": 0.22,
        "after_failure_rate": 0.2,
        "masked_by_changes": ["model=m01|3.2->3.1|2026-01-20"],
    }
    assert measured_text(fix) == (
        "No drop: 22% → 20% (a regression may hide it: model=m01|3.2->3.1|2026-01-20)"
    )
    assert measured_text({**fix, "masked_by_changes": []}) == "No drop: 22% → 20%"


def test_a_checked_fix_that_held_names_the_day_its_pattern_rose_again() -> None:
    fix = {
        "measured_verdict": "verified",
        "before_failure_rate": 0.257,
        "after_failure_rate": 0.086,
        "masked_by_changes": [],
        "rose_again_on": "2025-10-30",  # as the check's JSON carries it
    }
    assert measured_text(fix) == "Verified: 26% → 9%, held until Oct 30, 2025"


@pytest.mark.parametrize(
    ("rate", "shown"),
    [
        (None, "–"),
        (float("nan"), "–"),
        (0.0, "0%"),
        (0.00045, "<0.1%"),
        (0.004, "0.4%"),
        (0.064, "6%"),
        (1.0, "100%"),
    ],
)
def test_rate_text(rate: float | None, shown: str) -> None:
    assert rate_text(rate) == shown


@pytest.mark.parametrize(
    ("rate", "segments", "shown"),
    [
        (0.261, 226, "Fails 26% now (226 segments since its latest change)."),
        (0.004, 12_345, "Fails 0.4% now (12,345 segments since its latest change)."),
        (None, None, ""),
        (float("nan"), float("nan"), ""),
    ],
)
def test_now_text(rate: float | None, segments: float | None, shown: str) -> None:
    assert now_text(rate, segments) == shown


@pytest.mark.parametrize(
    ("starts_on", "shown"),
    [
        (None, ""),
        (float("nan"), ""),
        (
            dt.date(2026, 12, 5),
            "Found in the recent window from Dec 05, 2026 only: its counts, baseline and "
            "interval are that window's",
        ),
    ],
)
def test_window_text(starts_on: object, shown: str) -> None:
    assert window_text(starts_on) == shown
