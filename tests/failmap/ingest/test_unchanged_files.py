"""A ledgered file left unchanged in the inbox is skipped without being read; a changed or
touched one is hashed as before, and a touched one with ledgered content is remembered again."""

from __future__ import annotations

import os
import time
from pathlib import Path

import psycopg
import pytest

from failmap.ingest import load_file
from tests.failmap.ingest.conftest import count_reads, score_row, write_csv

HOUR_NS = 3600 * 10**9


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return count_reads(monkeypatch)


def _delivered_an_hour_ago(path: Path) -> Path:
    """Files failmap reads are settled: written well before it stats them (see SETTLED_NS)."""
    then = time.time_ns() - HOUR_NS
    os.utime(path, ns=(then, then))
    return path


def _scores(path: Path, first: int, count: int) -> Path:
    return _delivered_an_hour_ago(write_csv(path, [score_row(i) for i in range(first, count)]))


def _stat_in_ledger(conn: psycopg.Connection) -> list[tuple[str, str | None, int | None]]:
    return conn.execute(
        "select file_name, inbox_path, mtime_ns from raw.ingested_files order by file_id"
    ).fetchall()


def test_an_unchanged_ledgered_file_is_skipped_without_reading_it(
    conn: psycopg.Connection, inbox: Path, reads: list[str]
) -> None:
    path = _scores(inbox / "quality_scores_1.csv", 0, 20)
    assert load_file(conn, path).status == "loaded"
    reads.clear()

    outcome = load_file(conn, path)

    assert outcome.status == "skipped"
    assert outcome.summary() == "quality_scores_1.csv: already loaded (same content), nothing to do"
    assert reads == []
    assert _stat_in_ledger(conn) == [
        ("quality_scores_1.csv", str(path.absolute()), path.stat().st_mtime_ns)
    ]


def test_a_changed_file_of_the_same_size_and_time_elsewhere_is_still_read(
    conn: psycopg.Connection, inbox: Path, tmp_path: Path, reads: list[str]
) -> None:
    path = _scores(inbox / "quality_scores_1.csv", 0, 20)
    load_file(conn, path)
    moved = tmp_path / "other_inbox"
    moved.mkdir()
    copy = moved / path.name
    copy.write_bytes(path.read_bytes())
    os.utime(copy, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns))
    reads.clear()

    assert load_file(conn, copy).status == "skipped"  # same content: found by its hash
    assert reads == ["quality_scores_1.csv"]


def test_a_file_rewritten_with_new_rows_is_read_and_loaded(
    conn: psycopg.Connection, inbox: Path, reads: list[str]
) -> None:
    path = _scores(inbox / "quality_scores_1.csv", 0, 20)
    load_file(conn, path)
    _scores(path, 0, 25)  # the sender re-exports it with five more rows
    reads.clear()

    outcome = load_file(conn, path)

    assert outcome.status == "loaded"
    assert outcome.rows_loaded == 25
    assert reads == ["quality_scores_1.csv", "quality_scores_1.csv"]  # hashed, then loaded
    assert conn.execute("select count(*) from raw.quality_scores").fetchone()[0] == 25


def test_a_same_size_rewrite_at_another_time_is_read_and_loaded(
    conn: psycopg.Connection, inbox: Path
) -> None:
    path = _scores(inbox / "quality_scores_1.csv", 0, 20)
    load_file(conn, path)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"0.8,0.5,true", b"0.2,0.5,true"))  # same size, new values
    assert len(path.read_bytes()) == len(data)
    _delivered_an_hour_ago(path)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1))

    outcome = load_file(conn, path)

    assert outcome.status == "loaded"
    scores = conn.execute("select distinct score from raw.quality_scores").fetchall()
    assert scores == [(0.2,)]


def test_a_touched_identical_file_is_hashed_once_then_skipped_unread(
    conn: psycopg.Connection, inbox: Path, reads: list[str]
) -> None:
    path = _scores(inbox / "quality_scores_1.csv", 0, 20)
    load_file(conn, path)
    touched = path.stat().st_mtime_ns + HOUR_NS // 2
    os.utime(path, ns=(touched, touched))
    reads.clear()

    first = load_file(conn, path)
    second = load_file(conn, path)

    assert (first.status, second.status) == ("skipped", "skipped")
    assert reads == ["quality_scores_1.csv"]  # hashed once, found, its new stat remembered
    assert _stat_in_ledger(conn) == [("quality_scores_1.csv", str(path.absolute()), touched)]


def test_a_file_modified_just_now_is_read_again_next_time(
    conn: psycopg.Connection, inbox: Path, reads: list[str]
) -> None:
    """Its modification time may not change on a rewrite within the clock's tick: no stat is
    remembered for it until it has settled."""
    path = write_csv(inbox / "quality_scores_1.csv", [score_row(i) for i in range(20)])
    load_file(conn, path)
    assert _stat_in_ledger(conn) == [("quality_scores_1.csv", None, None)]
    reads.clear()

    assert load_file(conn, path).status == "skipped"
    assert reads == ["quality_scores_1.csv"]


def test_a_file_rejected_for_its_content_is_not_read_again(
    conn: psycopg.Connection, inbox: Path, reads: list[str]
) -> None:
    path = inbox / "quality_scores_bad.csv"
    path.write_bytes(b"id,when,what\n1,2,3\n")
    _delivered_an_hour_ago(path)
    assert load_file(conn, path).status == "rejected"
    reads.clear()

    assert load_file(conn, path).status == "skipped"
    assert reads == []
