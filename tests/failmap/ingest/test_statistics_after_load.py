"""A load that grows a raw table substantially refreshes its planner statistics at once; a small
one leaves them alone. The raw checks and the segment model that run next read the history
through indexes only when the planner knows how few rows their ranges hold."""

from __future__ import annotations

from pathlib import Path

import psycopg

from failmap.ingest import load_files
from tests.failmap.ingest.conftest import run_row, score_row, write_csv


def _estimated_rows(conn: psycopg.Connection, table: str) -> float:
    row = conn.execute(
        "select reltuples from pg_class where oid = %s::regclass", [table]
    ).fetchone()
    conn.commit()  # the loader's transactions are then its own, as in a refresh
    assert row is not None
    return float(row[0])


def test_a_first_load_is_analyzed_and_a_small_one_is_not(
    conn: psycopg.Connection, inbox: Path
) -> None:
    assert _estimated_rows(conn, "raw.quality_scores") < 0  # never analyzed
    first = [
        write_csv(inbox / "quality_scores_a.csv", [score_row(i) for i in range(200)]),
        write_csv(inbox / "runs_a.csv", [run_row(i) for i in range(50)]),
    ]

    load_files(conn, first)

    assert _estimated_rows(conn, "raw.quality_scores") == 200
    assert _estimated_rows(conn, "raw.runs") == 50

    # 10 more rows: 5 % of the table, statistics kept as they were.
    small = write_csv(inbox / "quality_scores_b.csv", [score_row(i) for i in range(200, 210)])
    load_files(conn, [small])

    assert _estimated_rows(conn, "raw.quality_scores") == 200
    assert conn.execute("select count(*) from raw.quality_scores").fetchone() == (210,)
    conn.commit()

    # 100 more: 48 % of it, analyzed again.
    large = write_csv(inbox / "quality_scores_c.csv", [score_row(i) for i in range(210, 310)])
    load_files(conn, [large])

    assert _estimated_rows(conn, "raw.quality_scores") == 310
