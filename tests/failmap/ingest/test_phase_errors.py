"""phase_errors is a JSON object `{phase: message}`: anything else is quarantined with a reason
naming the column; valid objects load as jsonb with their messages intact."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from failmap.ingest import load_file
from tests.failmap.ingest.conftest import run_row, write_csv


@pytest.mark.parametrize(
    "value",
    [
        '{"generate": "CUDA out of memory"',  # truncated
        "{'generate': 'CUDA out of memory'}",  # a Python dict, not JSON
        '{"generate": "x",}',  # trailing comma
        '"CUDA out of memory"',  # a JSON string
        "42",
        "null",
        '[{"generate": "x"}]',
    ],
)
def test_phase_errors_that_are_not_a_json_object_are_quarantined(
    conn: psycopg.Connection, inbox: Path, value: str
) -> None:
    rows = [run_row(1), run_row(2, phase_errors=value)]
    outcome = load_file(conn, write_csv(inbox / "runs_1.csv", rows))

    assert (outcome.rows_loaded, outcome.rows_quarantined) == (1, 1)
    [(reason, raw)] = conn.execute("select reason, raw_row from raw.quarantine").fetchall()
    assert reason.startswith("phase_errors") and "is not a JSON object" in reason
    assert raw["phase_errors"] == value


def test_valid_phase_errors_load_with_their_messages(conn: psycopg.Connection, inbox: Path) -> None:
    errors = {
        "load_model": "ConnectionRefusedError: [Errno 111] Connect call failed ('10.4.1.2', 6379)",
        "generate": 'ValueError: bad "quoted" value, ΔE 8.0',
        "encode": None,
    }
    rows = [run_row(1, phase_errors=json.dumps(errors)), run_row(2, phase_errors="{}")]
    rows.append(run_row(3, phase_errors=""))

    outcome = load_file(conn, write_csv(inbox / "runs_1.csv", rows))

    assert outcome.rows_quarantined == 0
    loaded = dict(conn.execute("select run_id, phase_errors from raw.runs").fetchall())
    assert loaded == {"r1": errors, "r2": {}, "r3": None}


def test_phase_errors_embedded_as_objects_in_json_lines_load(
    conn: psycopg.Connection, inbox: Path
) -> None:
    good = run_row(1, phase_errors={"upload": "ReadTimeout"}, context={"gpu": "A100"})
    bad = run_row(2, phase_errors=["upload", "ReadTimeout"])
    path = inbox / "runs_1.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in (good, bad)) + "\n", encoding="utf-8")

    outcome = load_file(conn, path)

    assert (outcome.rows_loaded, outcome.rows_quarantined) == (1, 1)
    assert conn.execute("select phase_errors from raw.runs").fetchone()[0] == {
        "upload": "ReadTimeout"
    }
