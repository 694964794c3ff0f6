"""Refreshes of one database never overlap: the second waits for the first, says which one it
waits for, and the lock is freed when its holder's session ends."""

from __future__ import annotations

import threading
import time

import pytest

from failmap import database
from failmap.refresh_lock import refresh_lock


def _waiting_sessions(url: str) -> int:
    with database.connect(url) as conn:
        return conn.execute(
            "select count(*) from pg_locks where locktype = 'advisory' and not granted "
            "and database = (select oid from pg_database where datname = current_database())"
        ).fetchone()[0]


def _wait_for(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.05)


def test_a_second_refresh_waits_for_the_first_and_says_for_which(fresh_database_url: str) -> None:
    messages: list[str] = []
    order: list[str] = []

    def second() -> None:
        with refresh_lock(fresh_database_url, run_id="second", log=messages.append):
            order.append("second")

    with refresh_lock(fresh_database_url, run_id="a1b2c3d4e5", log=messages.append):
        thread = threading.Thread(target=second)
        thread.start()
        _wait_for(lambda: _waiting_sessions(fresh_database_url) == 1)
        order.append("first")
    thread.join(timeout=30)

    assert order == ["first", "second"]
    assert messages[0].startswith("waiting for the refresh started at ")
    assert "UTC run a1b2c3d4 to finish" in messages[0]


def test_a_refresh_whose_session_dies_frees_the_lock(fresh_database_url: str) -> None:
    messages: list[str] = []
    with refresh_lock(fresh_database_url, log=messages.append):
        with database.connect(fresh_database_url, autocommit=True) as admin:
            # With a timeout the call returns once the session has ended (PostgreSQL 14+);
            # without one it only signals it, and the next lock could still find it held.
            admin.execute(
                "select pg_terminate_backend(pid, 10000) from pg_stat_activity "
                "where application_name like 'failmap refresh%%' and datname = current_database()"
            )
        with refresh_lock(fresh_database_url, log=messages.append):
            pass
    assert messages == []
