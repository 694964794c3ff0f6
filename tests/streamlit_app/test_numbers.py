"""Metric tiles: counts fit, exactly while they can."""

from __future__ import annotations

import pytest
from lib.numbers import compact_count


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, "0"),
        (70_271, "70,271"),
        (99_999, "99,999"),
        (100_000, "100k"),
        (146_795, "147k"),
        (999_499, "999k"),
        (999_500, "1M"),
        (7_301_347, "7.3M"),
        (30_595_638, "30.6M"),
        (1_234_567_890, "1,235M"),
    ],
)
def test_counts_are_exact_below_100k_and_three_figures_above(count: int, shown: str) -> None:
    assert compact_count(count) == shown
