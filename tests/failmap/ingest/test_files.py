"""File-level behaviour: unreadable files are rejected whole, content is loaded once, the
latest delivery of an id wins, and every supported format loads the same rows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from failmap.ingest import load_file, load_files, pending_files
from tests.failmap.ingest.conftest import score_row, write_csv


def count(conn: psycopg.Connection, table: str) -> int:
    return conn.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608


def ledger(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(
        "select file_name, status, reason from raw.ingested_files order by file_id"
    ).fetchall()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not UTF-8"),
        (b"", "empty"),
        (b"id,when,what\n1,2,3\n", "lacks required column(s) score_id"),
        (b"score_id,evaluated_at,job_id\ns1,2026-09-24T13:05:12+00:00,j1\n", "segment_id"),
    ],
    ids=["binary", "empty", "wrong-header", "missing-columns"],
)
def test_unreadable_file_is_rejected_and_nothing_loads(
    conn: psycopg.Connection, inbox: Path, content: bytes, words: str
) -> None:
    path = inbox / "quality_scores_bad.csv"
    path.write_bytes(content)

    outcome = load_file(conn, path)

    assert outcome.status == "rejected"
    assert words in (outcome.reason or "")
    assert ledger(conn) == [("quality_scores_bad.csv", "rejected", outcome.reason)]
    assert count(conn, "raw.quality_scores") == 0
    assert count(conn, "raw.quarantine") == 0


def test_truncated_file_is_rejected_whole(conn: psycopg.Connection, inbox: Path) -> None:
    good = write_csv(inbox / "quality_scores_full.csv", [score_row(i) for i in range(50)])
    truncated = inbox / "quality_scores_cut.csv"
    data = good.read_bytes()
    truncated.write_bytes(data[: len(data) - 40])  # cut in the middle of the last row
    good.unlink()

    outcome = load_file(conn, truncated)

    assert outcome.status == "rejected"
    assert "line 51" in (outcome.reason or "")  # header + 50 rows: the last row is line 51
    assert count(conn, "raw.quality_scores") == 0


def test_other_files_still_load_after_a_rejection(conn: psycopg.Connection, inbox: Path) -> None:
    (inbox / "quality_scores_0.csv").write_bytes(b"\x00\x01garbage")
    write_csv(inbox / "quality_scores_1.csv", [score_row(1), score_row(2)])
    (inbox / "notes.txt").write_text("hello")

    outcomes = load_files(conn, pending_files(inbox))

    statuses = sorted((o.file_name, o.status) for o in outcomes)
    assert statuses == [
        ("notes.txt", "rejected"),
        ("quality_scores_0.csv", "rejected"),
        ("quality_scores_1.csv", "loaded"),
    ]
    assert count(conn, "raw.quality_scores") == 2


def test_same_file_twice_adds_no_rows(conn: psycopg.Connection, inbox: Path) -> None:
    path = write_csv(inbox / "quality_scores_1.csv", [score_row(i) for i in range(10)])

    first = load_file(conn, path)
    second = load_file(conn, path)

    assert (first.status, first.rows_loaded) == ("loaded", 10)
    assert second.status == "skipped"
    assert count(conn, "raw.quality_scores") == 10
    assert count(conn, "raw.ingested_files") == 1


def test_copy_under_another_name_is_a_no_op(conn: psycopg.Connection, inbox: Path) -> None:
    path = write_csv(inbox / "quality_scores_1.csv", [score_row(i) for i in range(10)])
    copy = shutil.copy(path, inbox / "quality_scores_copy.csv")

    load_file(conn, path)
    outcome = load_file(conn, Path(copy))

    assert outcome.status == "skipped"
    assert count(conn, "raw.quality_scores") == 10


def test_redelivered_score_id_replaces_the_row(conn: psycopg.Connection, inbox: Path) -> None:
    load_file(conn, write_csv(inbox / "quality_scores_1.csv", [score_row(1), score_row(2)]))
    later = [score_row(2, passed="false", failure_reason="flicker 0.4"), score_row(3)]
    outcome = load_file(conn, write_csv(inbox / "quality_scores_2.csv", later))

    assert outcome.rows_loaded == 2
    rows = conn.execute(
        "select score_id, passed, failure_reason from raw.quality_scores order by score_id"
    ).fetchall()
    assert rows == [("s1", True, None), ("s2", False, "flicker 0.4"), ("s3", True, None)]


def test_repeated_id_within_a_file_keeps_its_last_line(
    conn: psycopg.Connection, inbox: Path
) -> None:
    rows = [score_row(1, score="0.1"), score_row(2), score_row(1, score="0.9")]
    outcome = load_file(conn, write_csv(inbox / "quality_scores_1.csv", rows))

    assert (outcome.rows_loaded, outcome.rows_superseded, outcome.rows_in_file) == (2, 1, 3)
    score = conn.execute("select score, source_line from raw.quality_scores where score_id = 's1'")
    assert score.fetchone() == (0.9, 4)


def test_inbox_order_is_delivery_order(inbox: Path) -> None:
    import os

    late = write_csv(inbox / "quality_scores_a.csv", [score_row(1)])
    early = write_csv(inbox / "quality_scores_b.csv", [score_row(1)])
    os.utime(early, ns=(1_000_000_000, 1_000_000_000))
    (inbox / ".hidden.csv").write_text("x")
    (inbox / "quality_scores_c.csv.part").write_text("x")

    assert pending_files(inbox) == [early, late]


def _rows(count_: int) -> list[dict]:
    return [score_row(i, score=round(i / count_, 3)) for i in range(count_)]


def _table(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(
        "select score_id, evaluated_at, segment_position, score, passed, lora "
        "from raw.quality_scores order by score_id"
    ).fetchall()


def test_json_lines_and_parquet_load_the_same_rows_as_csv(
    fresh_database_url: str, server_url: str, inbox: Path
) -> None:
    from failmap import database
    from tests.conftest import with_database

    rows = _rows(20)
    rows[3]["lora"] = ""
    results = []
    frame = pd.DataFrame(rows)
    frame["passed"] = frame["passed"] == "true"
    frame["lora"] = frame["lora"].replace("", None)
    frame["evaluated_at"] = pd.to_datetime(frame["evaluated_at"], utc=True)
    writers = {
        "csv": lambda p: write_csv(p, rows),
        "jsonl": lambda p: p.write_text(
            "\n".join(json.dumps({**r, "lora": r["lora"] or None}) for r in rows) + "\n"
        ),
        "parquet": lambda p: frame.to_parquet(p, index=False),
    }
    for fmt, write in writers.items():
        path = inbox / f"quality_scores_{fmt}.{fmt}"
        write(path)
        name = f"fmt_{fmt}"
        with database.connect(server_url, autocommit=True) as admin:
            admin.execute(f"create database {name} template failmap_template")
        with database.connect(with_database(server_url, name)) as conn:
            outcome = load_file(conn, path)
            assert (outcome.status, outcome.rows_loaded, outcome.rows_quarantined) == (
                "loaded",
                20,
                0,
            ), outcome
            results.append(_table(conn))
    assert results[0] == results[1] == results[2]


def test_json_lines_quarantine_lines_that_are_not_objects(
    conn: psycopg.Connection, inbox: Path
) -> None:
    path = inbox / "quality_scores_1.jsonl"
    lines = [json.dumps(score_row(1)), "", "{not json", "[1, 2]", json.dumps(score_row(2))]
    path.write_text("\n".join(lines) + "\n")

    outcome = load_file(conn, path)

    assert (outcome.rows_loaded, outcome.rows_quarantined) == (2, 2)
    quarantined = conn.execute(
        "select line_number, reason, raw_row from raw.quarantine order by line_number"
    ).fetchall()
    assert quarantined == [
        (3, "line is not a JSON object", "{not json"),
        (4, "line is not a JSON object", "[1, 2]"),
    ]


def test_parquet_with_naive_timestamps_is_quarantined_not_guessed(
    conn: psycopg.Connection, inbox: Path
) -> None:
    frame = pd.DataFrame([score_row(1), score_row(2)])
    frame["evaluated_at"] = pd.to_datetime(["2026-09-24 13:05:12", "2026-09-24 13:06:12"])
    path = inbox / "quality_scores_1.parquet"
    frame.to_parquet(path, index=False)

    outcome = load_file(conn, path)

    assert (outcome.rows_loaded, outcome.rows_quarantined) == (0, 2)
    reason = conn.execute("select reason from raw.quarantine limit 1").fetchone()[0]
    assert "UTC offset" in reason


def test_not_parquet_at_all_is_rejected(conn: psycopg.Connection, inbox: Path) -> None:
    path = inbox / "quality_scores_1.parquet"
    path.write_text("score_id\n1\n")

    outcome = load_file(conn, path)

    assert outcome.status == "rejected"
    assert "Parquet" in (outcome.reason or "")
