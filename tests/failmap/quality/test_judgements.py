"""Each delivered file is judged once, at arrival; a warning stays open until a person
acknowledges it, and acknowledging needs a name."""

from __future__ import annotations

import psycopg
import pytest

from failmap.quality.judgements import (
    WarningNotFound,
    acknowledge_warning,
    file_warnings,
    judge_new_files,
)


def _ledger(conn: psycopg.Connection, name: str, rows: int, quarantined: int) -> int:
    return conn.execute(
        "insert into raw.ingested_files (file_name, file_kind, sha256, size_bytes, status, "
        "rows_in_file, rows_loaded, rows_quarantined) values (%s, 'quality_scores', %s, 1, "
        "'loaded', %s, %s, %s) returning file_id",
        [name, f"sha-{name}", rows, rows - quarantined, quarantined],
    ).fetchone()[0]


def test_a_file_is_judged_once_when_it_arrives(conn: psycopg.Connection) -> None:
    _ledger(conn, "quality_scores_bad.csv", rows=70, quarantined=70)
    _ledger(conn, "quality_scores_ok.csv", rows=100, quarantined=5)
    conn.commit()

    first = judge_new_files(conn, "quality_scores")
    again = judge_new_files(conn, "quality_scores")

    assert sorted(first) == [("quality_scores_bad.csv", True), ("quality_scores_ok.csv", False)]
    assert again == []  # nothing new arrived: nothing judged again
    assert judge_new_files(conn, "runs") == []
    (warning,) = file_warnings(conn)
    assert warning.file_name == "quality_scores_bad.csv"
    assert "70 of 70 rows quarantined (100%" in warning.text


def test_an_acknowledged_warning_is_closed_and_keeps_who_and_why(
    conn: psycopg.Connection,
) -> None:
    file_id = _ledger(conn, "quality_scores_bad.csv", rows=10, quarantined=3)
    judge_new_files(conn, "quality_scores")

    acknowledged = acknowledge_warning(conn, file_id, " ann ", "the sender fixed the export")

    assert (acknowledged.acknowledged_by, acknowledged.acknowledgement_note) == (
        "ann",
        "the sender fixed the export",
    )
    assert acknowledged.acknowledged_at is not None
    assert file_warnings(conn) == []
    assert file_warnings(conn, include_acknowledged=True) == [acknowledged]
    judge_new_files(conn, "quality_scores")
    assert file_warnings(conn) == []  # not judged again, not reopened
    with pytest.raises(WarningNotFound):
        acknowledge_warning(conn, file_id, "bob")


def test_acknowledging_needs_a_name(conn: psycopg.Connection) -> None:
    file_id = _ledger(conn, "quality_scores_bad.csv", rows=10, quarantined=9)
    judge_new_files(conn, "quality_scores")

    with pytest.raises(ValueError, match="who acknowledges"):
        acknowledge_warning(conn, file_id, "  ")
    assert len(file_warnings(conn)) == 1


def test_the_cli_lists_and_acknowledges_warnings(
    conn: psycopg.Connection, failmap_env: dict[str, str]
) -> None:
    from click.testing import CliRunner

    from failmap.cli import main

    file_id = _ledger(conn, "quality_scores_bad.csv", rows=70, quarantined=70)
    judge_new_files(conn, "quality_scores")
    conn.commit()
    runner = CliRunner()

    listed = runner.invoke(main, ["quality", "warnings"])
    acknowledged = runner.invoke(main, ["quality", "ack", str(file_id), "--by", "ann"])
    again = runner.invoke(main, ["quality", "ack", str(file_id), "--by", "ann"])

    assert listed.exit_code == 0 and "quality_scores_bad.csv: 70 of 70 rows" in listed.output
    assert "OPEN" in listed.output
    assert acknowledged.exit_code == 0, acknowledged.output
    assert again.exit_code == 2 and "no open warning" in again.output
    assert runner.invoke(main, ["quality", "warnings"]).output.strip() == (
        "no open data-quality warnings"
    )
