"""Suite outcomes cross the helper process's pipe intact, and only run workers start it."""

from __future__ import annotations

import json
from pathlib import Path

from failmap.quality.validation import ExpectationOutcome, SuiteOutcome
from failmap.quality.worker import in_run_process, outcome_from_json, outcome_to_json


def test_an_outcome_survives_the_round_trip_through_json() -> None:
    outcome = SuiteOutcome(
        suite="raw.runs",
        expectations=[
            ExpectationOutcome(
                rule="finished_after_started",
                description="No run finished before it started.",
                severity="warning",
                success=False,
                unexpected_count=1,
                examples=[{"run_id": "r1", "started_at": "2026-09-01 10:00:00+00:00"}],
                observed_value=1,
            )
        ],
        data_docs=Path("/x/index.html"),
    )

    document = json.loads(json.dumps(outcome_to_json(outcome)))

    assert outcome_from_json(document) == outcome


def test_the_test_process_is_not_a_run_worker() -> None:
    assert not in_run_process()
