"""Two lanes (one file's COPY while the file before it stores) leave exactly what loading the
files one after the other leaves: same rows, quarantine and ledger, reported in file order; an
error stops the load as before, and a lone file never opens a second connection."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from failmap import database
from failmap.ingest import load_file, load_files
from failmap.ingest.loader import FileOutcome, file_sha256
from tests.failmap.ingest.conftest import run_row, score_row, write_csv

HOUR_NS = 3600 * 10**9
# Large enough that a small file after it would store first, were it not made to wait its turn.
BIG = 20_000


class Connections:
    """A factory of second connections that remembers what it opened."""

    def __init__(self, url: str, *settings: str) -> None:
        self.url = url
        self.settings = settings
        self.opened: list[psycopg.Connection] = []

    def __call__(self) -> psycopg.Connection:
        conn = database.connect(self.url)
        for setting in self.settings:
            conn.execute(setting)
        conn.commit()
        self.opened.append(conn)
        return conn


@pytest.fixture
def lane_threads() -> Iterator[None]:
    yield
    assert not [t for t in threading.enumerate() if t.name.startswith("failmap-lane")]


def _settled(path: Path) -> Path:
    then = time.time_ns() - HOUR_NS
    os.utime(path, ns=(then, then))
    return path


def _inbox(inbox: Path) -> list[Path]:
    """Files exercising every order-sensitive rule, in delivery order.

    Each rule is met by two neighbours (so on two lanes), the first file of them big: were
    the second not made to wait its turn, it would decide and store before the first.
    """
    bad = [score_row(7, score="high"), score_row(8, evaluated_at="yesterday")]
    first = [score_row(i) for i in range(BIG)] + bad
    second = [score_row(i) for i in range(BIG, 2 * BIG)]
    later = [score_row(5, score=0.1), score_row(BIG + 10, score=0.2), score_row(2 * BIG + 1)]
    unnamed = [score_row(2 * BIG + 2), score_row(2 * BIG + 3)]
    paths = [
        write_csv(inbox / "quality_scores_0.csv", first),
        # The first file's content again under another name: skipped.
        Path(shutil.copy(inbox / "quality_scores_0.csv", inbox / "quality_scores_1.csv")),
        write_csv(inbox / "quality_scores_2.csv", second),
        # Re-delivers ids of both big files: the later file wins.
        write_csv(inbox / "quality_scores_3.csv", later),
        # Rejected for its name, then the same content loads under a proper one.
        write_csv(inbox / "notes.csv", unnamed),
        write_csv(inbox / "quality_scores_5.csv", unnamed),
        write_csv(inbox / "runs_1.csv", [run_row(1), run_row(2, status="nonsense")]),
        write_csv(inbox / "quality_scores_7.csv", [score_row(5, score=0.3)]),
        inbox / "quality_scores_8.csv",
    ]
    paths[-1].write_bytes(b"\x89PNG\r\n\x1a\n\x00")  # rejected for its content
    # Settled, so that both loads record where each content was last read (see SETTLED_NS).
    return [_settled(path) for path in paths]


def _tables(conn: psycopg.Connection) -> dict[str, list[object]]:
    """Every row ingest writes, file ids replaced by file names, load times left out."""
    named = "(select file_name from raw.ingested_files f where f.file_id = t.file_id)"
    queries = {
        "quality_scores": "raw.quality_scores t order by score_id",
        "runs": "raw.runs t order by run_id",
        "quarantine": "raw.quarantine t order by file_name, line_number",
        "ingested_files": "raw.ingested_files t order by file_id",
    }
    return {
        table: [
            row[0]
            for row in conn.execute(
                f"select to_jsonb(t) - 'loaded_at' - 'quarantined_at' - 'duration_ms' "  # noqa: S608
                f"- 'file_id' - 'quarantine_id' || jsonb_build_object('file', {named}) "
                f"from {query}"
            )
        ]
        for table, query in queries.items()
    }


def test_two_lanes_leave_the_same_rows_quarantine_and_ledger_as_one_after_the_other(
    conn: psycopg.Connection, fresh_database_url: str, inbox: Path, lane_threads: None
) -> None:
    paths = _inbox(inbox)
    expected = load_files(conn, paths)
    expected_tables = _tables(conn)
    conn.execute("truncate raw.quality_scores, raw.runs, raw.ingested_files cascade")
    conn.commit()

    outcomes = load_files(conn, paths, connect=Connections(fresh_database_url))

    assert outcomes == expected
    assert [o.status for o in outcomes] == [
        *("loaded", "skipped", "loaded", "loaded", "rejected"),
        *("loaded", "loaded", "loaded", "rejected"),
    ]
    assert (outcomes[0].rows_quarantined, outcomes[3].rows_loaded) == (2, 3)
    assert _tables(conn) == expected_tables
    latest = conn.execute(
        "select score_id, score, f.file_name from raw.quality_scores join raw.ingested_files f "
        "using (file_id) where score_id in ('s5', %s) order by score_id",
        (f"s{BIG + 10}",),
    ).fetchall()
    assert latest == [
        (f"s{BIG + 10}", 0.2, "quality_scores_3.csv"),
        ("s5", 0.3, "quality_scores_7.csv"),
    ]


def test_outcomes_are_reported_in_file_order(
    conn: psycopg.Connection, fresh_database_url: str, inbox: Path, lane_threads: None
) -> None:
    # The unchanged file needs no turn: it is done long before the big file before it.
    unchanged = _settled(write_csv(inbox / "quality_scores_1.csv", [score_row(BIG + 1)]))
    load_file(conn, unchanged)
    paths = [
        write_csv(inbox / "quality_scores_0.csv", [score_row(i) for i in range(BIG)]),
        unchanged,
        write_csv(inbox / "quality_scores_2.csv", [score_row(BIG + 2)]),
    ]
    reported: list[tuple[int, int, str, str]] = []

    def progress(index: int, total: int, outcome: FileOutcome) -> None:
        reported.append((index, total, outcome.file_name, outcome.status))

    load_files(conn, paths, progress=progress, connect=Connections(fresh_database_url))

    assert reported == [
        (1, 3, "quality_scores_0.csv", "loaded"),
        (2, 3, "quality_scores_1.csv", "skipped"),
        (3, 3, "quality_scores_2.csv", "loaded"),
    ]


@pytest.mark.parametrize("failing", [1, 2], ids=["second-lane", "first-lane"])
def test_an_error_in_one_file_keeps_earlier_files_and_nothing_of_it_or_later(
    conn: psycopg.Connection,
    fresh_database_url: str,
    inbox: Path,
    lane_threads: None,
    failing: int,
) -> None:
    paths = [
        write_csv(inbox / f"quality_scores_{n}.csv", [score_row(i) for i in range(n, BIG, 4)])
        for n in range(4)
    ]
    # Another session holds the lock a loader takes for the failing file's content, and the
    # lanes wait for no lock longer than a moment: a real error, in the middle of that file.
    conn.execute("set lock_timeout = '300ms'")
    conn.commit()
    connections = Connections(fresh_database_url, "set lock_timeout = '300ms'")
    with database.connect(fresh_database_url, autocommit=True) as holder:
        sha256 = file_sha256(paths[failing])
        holder.execute("select pg_advisory_lock(hashtextextended(%s, 0))", (sha256,))
        with pytest.raises(psycopg.errors.LockNotAvailable):
            load_files(conn, paths, connect=connections)

    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert [c.closed for c in connections.opened] == [True]
    files = conn.execute("select file_name from raw.ingested_files order by file_id").fetchall()
    assert files == [(path.name,) for path in paths[:failing]]
    loaded = conn.execute("select count(*) from raw.quality_scores").fetchone()
    assert loaded == (len(range(0, BIG, 4)) * failing,)


def test_a_lone_file_to_read_opens_no_second_connection(
    conn: psycopg.Connection, fresh_database_url: str, inbox: Path, lane_threads: None
) -> None:
    ledgered = [
        _settled(write_csv(inbox / f"quality_scores_{n}.csv", [score_row(n)])) for n in range(2)
    ]
    load_files(conn, ledgered)
    connections = Connections(fresh_database_url)
    new = write_csv(inbox / "quality_scores_9.csv", [score_row(9)])

    alone = load_files(conn, [new], connect=connections)
    with_unchanged = load_files(conn, [*ledgered, _settled(new)], connect=connections)

    assert [o.status for o in alone + with_unchanged] == ["loaded", *["skipped"] * 3]
    assert connections.opened == []
    two_new = [write_csv(inbox / f"quality_scores_1{n}.csv", [score_row(10 + n)]) for n in (0, 1)]
    assert [o.status for o in load_files(conn, two_new, connect=connections)] == ["loaded"] * 2
    assert [c.closed for c in connections.opened] == [True]


def test_a_second_connection_that_fails_to_open_stops_the_load_after_the_first_file(
    conn: psycopg.Connection, fresh_database_url: str, inbox: Path, lane_threads: None
) -> None:
    paths = [write_csv(inbox / f"quality_scores_{n}.csv", [score_row(n)]) for n in range(3)]

    def unreachable() -> psycopg.Connection:
        raise database.DatabaseUnreachable("cannot connect to PostgreSQL at nowhere")

    with pytest.raises(database.DatabaseUnreachable):
        load_files(conn, paths, connect=unreachable)

    files = conn.execute("select file_name from raw.ingested_files").fetchall()
    assert files == [("quality_scores_0.csv",)]
