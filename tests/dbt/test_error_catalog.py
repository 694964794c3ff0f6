"""The error catalog (dbt seeds) classifies each class of run error, and leaves the rest to
signatures: crafted messages through the real pipeline (ingest, signatures, dbt build)."""

from __future__ import annotations

import pytest

from failmap import database
from tests.dbt.conftest import DBT_PROJECT
from tests.dbt.error_marts import CRAFTED_MESSAGES, CRAFTED_SUCCEEDED_RUNS

CATALOG_CLASSES = (
    "import_error",
    "connection_error",
    "timeout_error",
    "syntax_error",
    "type_error",
    "out_of_memory",
    "missing_resource",
    "permission_error",
)


@pytest.fixture(scope="module")
def classified(crafted_marts_url: str) -> dict[str, tuple]:
    with database.connect(crafted_marts_url) as conn:
        rows = conn.execute(
            "select message, category, match_type, pattern_id, confidence, signature_id, "
            "is_retryable, recovery_mode, severity from marts.run_errors"
        ).fetchall()
    return {row[0]: row[1:] for row in rows}


def test_the_catalog_has_every_required_class() -> None:
    header, *rows = (DBT_PROJECT / "seeds" / "error_catalog.csv").read_text().splitlines()
    categories = {row.split(",", 1)[0] for row in rows}
    assert header.startswith("category,")
    assert set(CATALOG_CLASSES) <= categories
    assert "unknown" in categories


def test_crafted_messages_cover_every_class_and_unmatched_ones() -> None:
    expected = {category for _, category in CRAFTED_MESSAGES}
    assert set(CATALOG_CLASSES) <= expected
    assert "unknown" in expected


@pytest.mark.parametrize(("message", "category"), CRAFTED_MESSAGES, ids=lambda v: v[:40])
def test_message_gets_its_catalog_class_or_unknown(
    classified: dict[str, tuple], message: str, category: str
) -> None:
    got_category, match_type, pattern_id, confidence, signature_id, *_ = classified[message]

    assert got_category == category
    assert signature_id is not None and signature_id.startswith("sig_")
    if category == "unknown":
        assert (match_type, pattern_id, confidence) == ("signature", None, None)
    else:
        assert match_type == "catalog"
        assert pattern_id is not None
        assert 0 < confidence <= 1


def test_catalog_attributes_come_with_the_class(classified: dict[str, tuple]) -> None:
    *_, retryable, recovery_mode, severity = classified["asyncio.exceptions.TimeoutError"]
    assert (retryable, recovery_mode, severity) == (True, "retry_with_backoff", "medium")
    unknown = classified["NaN detected in latent at step 4 of segment 2"]
    *_, retryable, recovery_mode, severity = unknown
    assert (retryable, recovery_mode, severity) == (False, "investigate", "medium")


def test_a_generic_pattern_yields_lower_confidence(classified: dict[str, tuple]) -> None:
    generic = classified["LoRA l21 not found in registry"]
    specific = classified["urllib.error.HTTPError: HTTP Error 404: Not Found"]
    assert generic[0] == specific[0] == "missing_resource"
    assert generic[3] < specific[3]


def test_a_failing_phase_is_flagged(crafted_marts_url: str) -> None:
    # Every crafted failure is in generate: its failure rate is far above 10 %.
    with database.connect(crafted_marts_url) as conn:
        rows = conn.execute(
            "select phase, run_reached_count, failed_run_count, failure_rate, is_flagged "
            "from marts.phase_error_breakdown where period_grain = 'all' order by phase_order"
        ).fetchall()
    by_phase = {row[0]: row[1:] for row in rows}
    failed = len(CRAFTED_MESSAGES)
    assert by_phase["generate"] == (
        failed + CRAFTED_SUCCEEDED_RUNS,
        failed,
        pytest.approx(failed / (failed + CRAFTED_SUCCEEDED_RUNS)),
        True,
    )
    assert by_phase["load_model"][1:] == (0, 0.0, False)
    assert by_phase["upscale"][0] == CRAFTED_SUCCEEDED_RUNS


def test_patterns_are_postgresql_regexes_that_compile(crafted_marts_url: str) -> None:
    with database.connect(crafted_marts_url) as conn:
        patterns = conn.execute("select pattern from staging.error_catalog_patterns").fetchall()
        for (pattern,) in patterns:
            conn.execute("select '' ~* %s", [pattern])  # raises on an invalid expression
    assert len(patterns) >= len(CATALOG_CLASSES)
