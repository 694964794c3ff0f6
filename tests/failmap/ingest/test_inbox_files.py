"""Which inbox files count as seen, what their ledger hash covers, and that links are not
followed (issue 14)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import psycopg
import pytest

from failmap.ingest import load_file, load_files, loader, pending_files
from tests.failmap.ingest.conftest import score_row, write_csv


def _ledger(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(
        "select file_name, status, sha256 from raw.ingested_files order by file_id"
    ).fetchall()


@pytest.mark.parametrize("bad_name", ["scores.csv", "quality_scores.txt"])
def test_file_rejected_for_its_name_loads_once_renamed(
    conn: psycopg.Connection, inbox: Path, bad_name: str
) -> None:
    misnamed = write_csv(inbox / bad_name, [score_row(i) for i in range(3)])
    first = load_file(conn, misnamed)
    assert first.status == "rejected"

    renamed = misnamed.rename(inbox / "quality_scores.csv")
    outcome = load_file(conn, renamed)

    assert (outcome.status, outcome.rows_loaded) == ("loaded", 3)
    assert conn.execute("select count(*) from raw.quality_scores").fetchone()[0] == 3
    assert [(name, status) for name, status, _ in _ledger(conn)] == [
        ("quality_scores.csv", "loaded")
    ]


def test_file_rejected_for_its_content_stays_seen(conn: psycopg.Connection, inbox: Path) -> None:
    bad = inbox / "quality_scores_bad.csv"
    bad.write_bytes(b"id,when\n1,2\n")
    assert load_file(conn, bad).status == "rejected"

    again = load_file(conn, bad.rename(inbox / "quality_scores_again.csv"))

    assert again.status == "skipped"
    assert len(_ledger(conn)) == 1


def test_misnamed_file_left_in_the_inbox_is_ledgered_once(
    conn: psycopg.Connection, inbox: Path
) -> None:
    misnamed = write_csv(inbox / "scores.csv", [score_row(1)])

    outcomes = [load_file(conn, misnamed), load_file(conn, misnamed)]

    assert [o.status for o in outcomes] == ["rejected", "skipped"]
    assert "file name" in (outcomes[1].reason or "")
    assert len(_ledger(conn)) == 1


def test_ledger_hash_is_of_the_bytes_loaded_when_the_file_changes_meanwhile(
    conn: psycopg.Connection, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The delivering tool rewrites the file right after failmap hashed it: the ledger must
    hold the hash of the bytes that were loaded, not of the bytes hashed first."""
    path = write_csv(inbox / "quality_scores_1.csv", [score_row(1), score_row(2)])
    hash_file = loader.file_sha256

    def hash_then_rewrite(target: Path) -> str:
        digest = hash_file(target)
        write_csv(path, [score_row(i) for i in range(10, 15)])
        return digest

    monkeypatch.setattr(loader, "file_sha256", hash_then_rewrite)

    outcome = load_file(conn, path)

    loaded_ids = sorted(r[0] for r in conn.execute("select score_id from raw.quality_scores"))
    assert loaded_ids == ["s10", "s11", "s12", "s13", "s14"]
    [(_, _, sha256)] = _ledger(conn)
    assert sha256 == hashlib.sha256(path.read_bytes()).hexdigest() == outcome.sha256


def test_symlinks_in_the_inbox_are_ignored(
    conn: psycopg.Connection, inbox: Path, tmp_path: Path
) -> None:
    outside = write_csv(tmp_path / "secret.csv", [score_row(1)])
    (inbox / "quality_scores_link.csv").symlink_to(outside)
    real = write_csv(inbox / "quality_scores_1.csv", [score_row(2)])
    told: list[str] = []

    assert pending_files(inbox, log=told.append) == [real]
    assert told and "quality_scores_link.csv" in told[0] and "symbolic link" in told[0]

    outcome = load_file(conn, inbox / "quality_scores_link.csv")
    assert outcome.status == "rejected"
    assert "symbolic link" in (outcome.reason or "")
    load_files(conn, pending_files(inbox))
    assert [r[0] for r in conn.execute("select score_id from raw.quality_scores")] == ["s2"]
    assert [name for name, _, _ in _ledger(conn)] == ["quality_scores_1.csv"]
