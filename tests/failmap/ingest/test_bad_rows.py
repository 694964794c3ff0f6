"""A row that breaks the contract is quarantined with a reason naming its column; the rest
of the file loads."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from failmap.ingest import load_file
from tests.failmap.ingest.conftest import run_row, score_row, write_csv


def quarantine(conn: psycopg.Connection) -> list[tuple[int, str, dict]]:
    return conn.execute(
        "select line_number, reason, raw_row from raw.quarantine order by line_number"
    ).fetchall()


def loaded_ids(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute("select score_id from raw.quality_scores order by 1")]


@pytest.mark.parametrize(
    ("overrides", "column", "words"),
    [
        ({"segment_id": ""}, "segment_id", "is required"),
        ({"scene_type": "   "}, "scene_type", "is required"),
        ({"evaluated_at": "24/09/2026 13:05"}, "evaluated_at", "ISO 8601"),
        ({"evaluated_at": "2026-09-24T13:05:12"}, "evaluated_at", "UTC offset"),
        ({"evaluated_at": "2026-02-30T13:05:12+00:00"}, "evaluated_at", "ISO 8601"),
        ({"segment_position": "0"}, "segment_position", "below the minimum 1"),
        ({"segment_position": "-3"}, "segment_position", "below the minimum 1"),
        ({"segment_position": "two"}, "segment_position", "not a whole number"),
        ({"segment_position": "2.5"}, "segment_position", "not a whole number"),
        ({"passed": "maybe"}, "passed", "not a boolean"),
        ({"passed": "yes"}, "passed", "not a boolean"),
        ({"score": "1.2"}, "score", "above the maximum 1"),
        ({"score": "-0.1"}, "score", "below the minimum 0"),
        ({"score": "NaN"}, "score", "not a finite number"),
        ({"score": "high"}, "score", "not a finite number"),
    ],
)
def test_bad_row_is_quarantined_with_its_column_named(
    conn: psycopg.Connection, inbox: Path, overrides: dict, column: str, words: str
) -> None:
    rows = [score_row(1), score_row(2, **overrides), score_row(3)]
    outcome = load_file(conn, write_csv(inbox / "quality_scores_1.csv", rows))

    assert (outcome.status, outcome.rows_loaded, outcome.rows_quarantined) == ("loaded", 2, 1)
    [(line, reason, raw)] = quarantine(conn)
    assert line == 3  # header is line 1, the bad row is the second data row
    assert reason.startswith(column)
    assert words in reason
    assert raw["score_id"] == "s2"
    assert loaded_ids(conn) == ["s1", "s3"]


def test_row_breaking_several_rules_lists_every_reason(
    conn: psycopg.Connection, inbox: Path
) -> None:
    rows = [score_row(1, segment_position="x", passed="nope", workflow="")]
    load_file(conn, write_csv(inbox / "quality_scores_1.csv", rows))

    [(_, reason, _)] = quarantine(conn)
    assert "segment_position" in reason
    assert "passed" in reason
    assert "workflow is required" in reason


def test_booleans_accept_every_documented_spelling(conn: psycopg.Connection, inbox: Path) -> None:
    spellings = ["true", "FALSE", "1", "0", "t", "F", "True"]
    rows = [score_row(i, passed=value) for i, value in enumerate(spellings)]
    outcome = load_file(conn, write_csv(inbox / "quality_scores_1.csv", rows))

    assert outcome.rows_quarantined == 0
    passed = [r[0] for r in conn.execute("select passed from raw.quality_scores order by score_id")]
    assert passed == [True, False, True, False, True, False, True]


def test_optional_empty_values_are_null_not_errors(conn: psycopg.Connection, inbox: Path) -> None:
    rows = [score_row(1, score="", threshold="", lora="", character="", scene_id="")]
    outcome = load_file(conn, write_csv(inbox / "quality_scores_1.csv", rows))

    assert outcome.rows_loaded == 1
    row = conn.execute("select score, lora, character from raw.quality_scores").fetchone()
    assert row == (None, None, None)


def test_bad_run_rows_are_quarantined(conn: psycopg.Connection, inbox: Path) -> None:
    rows = [
        run_row(1),
        run_row(2, status="exploded"),
        run_row(3, phase_errors="not json"),
        run_row(4, phase_errors="[1, 2]"),
        run_row(5, started_at=""),
    ]
    outcome = load_file(conn, write_csv(inbox / "runs_1.csv", rows))

    assert (outcome.rows_loaded, outcome.rows_quarantined) == (1, 4)
    reasons = [reason for _, reason, _ in quarantine(conn)]
    assert reasons[0].startswith("status 'exploded' is not one of")
    assert reasons[1].startswith("phase_errors") and "JSON object" in reasons[1]
    assert reasons[2].startswith("phase_errors") and "JSON object" in reasons[2]
    assert reasons[3] == "started_at is required but missing"
    run = conn.execute("select phase_errors, recovery_attempted from raw.runs").fetchone()
    assert run == ({"generate": "CUDA out of memory. Tried to allocate 2 GiB"}, True)
