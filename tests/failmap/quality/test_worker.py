"""Suite outcomes cross the helper process's pipe intact, the helper renders the run's Data
Docs, and only run workers start it."""

from __future__ import annotations

import json
from pathlib import Path

from failmap.quality.context import DATA_DOCS_DIR
from failmap.quality.validation import ExpectationOutcome, SuiteOutcome, pending_pages
from failmap.quality.worker import (
    SuiteWorker,
    in_run_process,
    outcome_from_json,
    outcome_to_json,
)


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


def test_the_helper_runs_a_suite_then_renders_its_page_in_the_docs_update(
    good_database_url: str,
) -> None:
    helper = SuiteWorker()
    try:
        outcome = helper.run_suite(good_database_url, "raw.runs")
        update = helper.update_data_docs(good_database_url)
    finally:
        helper.close()

    assert outcome.passed, outcome.summary()
    assert update.index == DATA_DOCS_DIR / "index.html"
    assert update.validation_pages >= 1
    assert pending_pages() == []
