"""A load that grows a raw table substantially refreshes its planner statistics at once; a small
one leaves them alone. The raw checks and the segment model that run next read the history
through indexes only when the planner knows how few rows their ranges hold."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

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


def _unsummarized_ranges(conn: psycopg.Connection, index: str) -> int:
    """Summarizes what is left (so it changes the table's index: call it last) and says how much."""
    row = conn.execute("select brin_summarize_new_values(%s::regclass)", [index]).fetchone()
    conn.commit()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize(
    ("kind", "make_row", "rows_per_file"),
    [("quality_scores", score_row, 8000), ("runs", run_row, 6000)],
)
def test_the_loaded_at_brin_is_summarized_after_each_load(
    conn: psycopg.Connection,
    inbox: Path,
    kind: str,
    make_row: Callable[[int], dict[str, Any]],
    rows_per_file: int,
) -> None:
    """Until a range is summarized the BRIN returns it for any query: the segment model's "loaded
    since the last build" read every page of a year of checks before autovacuum came, and the run
    error models find the runs loaded since through the runs' BRIN."""
    # Ranges of 128 pages; the last, partial one stays unsummarized (it may still grow).
    for part, rows in (("a", range(rows_per_file)), ("b", range(rows_per_file, 2 * rows_per_file))):
        load_files(conn, [write_csv(inbox / f"{kind}_{part}.csv", [make_row(i) for i in rows])])
    pages = conn.execute(
        "select pg_relation_size(%s::regclass) / current_setting('block_size')::int",
        [f"raw.{kind}"],
    ).fetchone()
    assert pages is not None and pages[0] > 2 * 128  # full ranges to summarize

    assert _unsummarized_ranges(conn, f"raw.{kind}_loaded_at_brin") == 0
