"""Rates as people read them, in the pattern sentences (dbt's `percent_text`) and in the Python
texts (`failmap.alerts.result.percent`): a rare failure never reads as 0 %."""

from __future__ import annotations

from pathlib import Path

import pytest

from failmap.alerts.result import percent
from tests.dbt.conftest import compiled_rows

# rate, percent_text, percent (Python: one decimal below 10 %)
CASES = [
    (None, "n/a", "n/a"),
    (0.0, "0%", "0%"),
    (0.00045, "<0.1%", "<0.1%"),  # LAMMPS unit tests: 28 failures in 62,340 results
    (0.004, "0.4%", "0.4%"),
    (0.064, "6%", "6.4%"),
    (0.564, "56%", "56%"),
    (1.0, "100%", "100%"),
]


def test_percent_text_never_prints_a_rare_failure_as_zero(
    module_database: str, dbt_target: Path
) -> None:
    values = ["null" if rate is None else str(rate) for rate, _, _ in CASES]
    rows = ", ".join(f"({index}, {value})" for index, value in enumerate(values))
    found = dict(
        compiled_rows(
            module_database,
            "select i, {{ percent_text('r') }} from (values ROWS) as cases (i, r)".replace(
                "ROWS", rows
            ),
            dbt_target,
        )
    )
    assert [found[index] for index in range(len(CASES))] == [text for _, text, _ in CASES]


@pytest.mark.parametrize(("rate", "shown"), [(rate, shown) for rate, _, shown in CASES])
def test_percent(rate: float | None, shown: str) -> None:
    assert percent(rate) == shown
