"""The ledger counts, per file, the rows that replaced rows of earlier files (`rows_replaced`).

The segment model reads it to learn whether a re-delivered check may have left its old segment
(tests/dbt/test_segments_incremental.py shows the model stays equal to a rebuild); a wrong
count of 0 would leave that segment's outcome stale, so the count must be exact.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from failmap.ingest import load_file
from tests.failmap.ingest.conftest import score_row, write_csv


def ledgered(conn: psycopg.Connection, name: str) -> tuple[int, int, int]:
    row = conn.execute(
        "select rows_loaded, rows_superseded, rows_replaced from raw.ingested_files"
        " where file_name = %s",
        [name],
    ).fetchone()
    assert row is not None
    return row


def test_new_ids_replace_nothing(conn: psycopg.Connection, inbox: Path) -> None:
    outcome = load_file(conn, write_csv(inbox / "quality_scores_1.csv", [score_row(1)]))

    assert outcome.rows_replaced == 0
    assert ledgered(conn, "quality_scores_1.csv") == (1, 0, 0)


def test_ids_of_earlier_files_are_counted_once_and_repeats_within_the_file_are_not(
    conn: psycopg.Connection, inbox: Path
) -> None:
    load_file(conn, write_csv(inbox / "quality_scores_1.csv", [score_row(i) for i in (1, 2, 3)]))
    # s2 twice (an earlier file's id, repeated in this file), s3 once, s4 and s5 new, s5 twice.
    later = [score_row(2), score_row(2, score="0.1"), score_row(3), score_row(4)]
    later += [score_row(5), score_row(5, score="0.2")]
    outcome = load_file(conn, write_csv(inbox / "quality_scores_2.csv", later))

    assert (outcome.rows_loaded, outcome.rows_superseded, outcome.rows_replaced) == (4, 2, 2)
    assert ledgered(conn, "quality_scores_2.csv") == (4, 2, 2)
    assert "2 replacing rows of earlier files" in outcome.summary()


def test_a_file_repeating_only_its_own_ids_replaces_nothing(
    conn: psycopg.Connection, inbox: Path
) -> None:
    load_file(conn, write_csv(inbox / "quality_scores_1.csv", [score_row(1)]))
    rows = [score_row(2), score_row(2, score="0.3")]
    outcome = load_file(conn, write_csv(inbox / "quality_scores_2.csv", rows))

    assert ledgered(conn, "quality_scores_2.csv") == (1, 1, 0)
    assert outcome.rows_replaced == 0
