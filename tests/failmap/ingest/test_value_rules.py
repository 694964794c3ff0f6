"""The contract's value rules hold at their edges: values PostgreSQL's own parsers would take
but the contract refuses are quarantined, and every documented spelling loads (the loader
proves the common shapes valid by cheaper means than the full rules)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from failmap.ingest import load_file
from tests.failmap.ingest.conftest import score_row, write_csv


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("evaluated_at", "2026-09-24T24:00:00+00:00"),
        ("evaluated_at", "2026-09-24T13:05:60+00:00"),
        ("evaluated_at", "at_6-09-24T13:05:12+00:00"),
        ("evaluated_at", "2026-09-24T1 :05:12+00:00"),
        ("evaluated_at", "2026-09-31T13:05:12+00:00"),
        ("evaluated_at", "2026-09-24T13:05:12 UTC"),
        ("score", "Infinity"),
        ("score", "0x1p-2"),
        ("score", "1e400"),
        ("threshold", "nan"),
        ("segment_position", "1_000"),
        ("segment_position", "0x10"),
        ("segment_position", "99999999999"),
        ("passed", "on"),
    ],
)
def test_value_a_postgresql_parser_would_take_is_still_quarantined(
    conn: psycopg.Connection, inbox: Path, column: str, value: str
) -> None:
    rows = [score_row(1), score_row(2, **{column: value})]
    outcome = load_file(conn, write_csv(inbox / "quality_scores_1.csv", rows))

    assert (outcome.rows_loaded, outcome.rows_quarantined) == (1, 1)
    [(reason,)] = conn.execute("select reason from raw.quarantine").fetchall()
    assert reason.startswith(column)


@pytest.mark.parametrize(
    ("column", "value", "stored"),
    [
        ("evaluated_at", "2026-09-24T13:05:12Z", "2026-09-24 13:05:12+00"),
        ("evaluated_at", "2026-09-24 15:05:12.25 +02:00", "2026-09-24 13:05:12.25+00"),
        ("evaluated_at", " 2026-02-28T23:59:59+00:00 ", "2026-02-28 23:59:59+00"),
        ("score", "1e-3", "0.001"),
        ("score", ".5", "0.5"),
        ("segment_position", "+7", "7"),
        ("passed", "F", "false"),
    ],
)
def test_documented_spellings_load(
    conn: psycopg.Connection, inbox: Path, column: str, value: str, stored: str
) -> None:
    outcome = load_file(
        conn, write_csv(inbox / "quality_scores_1.csv", [score_row(1, **{column: value})])
    )

    assert (outcome.rows_loaded, outcome.rows_quarantined) == (1, 0)
    conn.execute("set timezone = 'UTC'")
    got = conn.execute(f"select {column}::text from raw.quality_scores").fetchone()  # noqa: S608
    assert got == (stored,)
