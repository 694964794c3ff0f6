"""The event log failmap configures: a connection kept per file, the files Dagster's own."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from failmap.dagster_home import ensure_dagster_home
from failmap.runtime.event_log import PooledSqliteEventLogStorage
from failmap.settings import load_settings


def _entry(run_id: str, message: str) -> EventLogEntry:
    return EventLogEntry(
        error_info=None,
        level=logging.INFO,
        user_message=message,
        run_id=run_id,
        timestamp=time.time(),
    )


def _messages(storage: SqliteEventLogStorage, run_id: str) -> list[str]:
    records = storage.get_records_for_run(run_id, limit=1000).records
    return [record.event_log_entry.user_message for record in records]


def test_the_dagster_home_failmap_writes_uses_the_pooled_event_log_on_dagsters_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dagster as dg

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "elsewhere"))
    home = ensure_dagster_home(load_settings({"FAILMAP_HOME": str(tmp_path / "home")}))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, PooledSqliteEventLogStorage)
        for number in range(3):
            storage.store_event(_entry("run-a", f"event {number}"))
        assert _messages(storage, "run-a") == ["event 0", "event 1", "event 2"]
    # Dagster's own class reads the same files where it keeps them by default.
    plain = SqliteEventLogStorage(str(home / "history" / "runs"))
    assert _messages(plain, "run-a") == ["event 0", "event 1", "event 2"]
    plain.dispose()


def test_a_forked_process_writes_on_its_own_connection_and_the_parent_goes_on(
    tmp_path: Path,
) -> None:
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    storage.store_event(_entry("run-b", "before the fork"))
    parents_engine = storage._engines["run-b"]
    pid = os.fork()
    if pid == 0:  # the child: write, then leave without running pytest's clean-up
        code = 1
        try:
            storage.store_event(_entry("run-b", "from the child"))
            # SQLite forbids using a connection opened before fork(): the child opened its own.
            code = 0 if storage._engines["run-b"] is not parents_engine else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    storage.store_event(_entry("run-b", "after the fork"))
    assert _messages(storage, "run-b") == ["before the fork", "from the child", "after the fork"]
    storage.dispose()


def test_only_the_most_recently_used_files_keep_a_connection(tmp_path: Path) -> None:
    from failmap.runtime import event_log

    storage = PooledSqliteEventLogStorage(str(tmp_path))
    for number in range(event_log.KEPT_ENGINES + 3):
        storage.store_event(_entry(f"run-{number}", "one"))
    assert len(storage._engines) == event_log.KEPT_ENGINES
    assert _messages(storage, "run-0") == ["one"]  # reopened when read again
    storage.dispose()


def test_a_table_is_looked_up_until_found_then_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    looked_up: list[str] = []
    dagsters = SqliteEventLogStorage.has_table

    def counted(self: SqliteEventLogStorage, table_name: str) -> bool:
        looked_up.append(table_name)
        return dagsters(self, table_name)

    monkeypatch.setattr(SqliteEventLogStorage, "has_table", counted)
    assert storage.has_table("asset_check_executions")
    assert storage.has_table("asset_check_executions")
    assert not storage.has_table("added_by_a_later_dagster")
    with storage.index_connection() as conn:  # a migration adds it
        conn.exec_driver_sql("create table added_by_a_later_dagster (id integer)")
    assert storage.has_table("added_by_a_later_dagster")
    assert storage.has_table("added_by_a_later_dagster")
    assert looked_up == [
        "asset_check_executions",
        "added_by_a_later_dagster",
        "added_by_a_later_dagster",
    ]
    storage.dispose()
