"""Dagster's SQLite event log, keeping a connection per database file instead of one per write.

Dagster's `SqliteEventLogStorage` creates a new SQLAlchemy engine, and so a new SQLite
connection, for every read and write (NullPool), and a run writes each of its events up to
three times (its own database, the cross-run index, the asset tables). A refresh writes ~1,350
events (a planned event, a result and an output per dbt test, model and asset check): opening
~7,000 connections cost about half of a `failmap refresh` (cProfile, benchmarks/README.md).
This class keeps one engine per database file, so a connection is opened once and reused.
Everything else (the schema, the files, where they live, the WAL journal Dagster sets) is
Dagster's, so the Dagster UI, daemon and a plain SqliteEventLogStorage read the same files.

- A process forked from one that has connections (the warm run worker's runs) never uses or
  closes them (SQLite forbids carrying a connection across fork()): it opens its own.
- Only the most recently used files keep a connection (the webserver reads many runs' files).
- A table once found stays found: Dagster asks `has_table` before storing each asset check
  event and asset tag, and its answer opens a new engine on the index file every time (1.4 s of
  the refresh process's CPU at a year's new day, py-spy). Tables are only ever added (`dagster
  instance migrate`), so only a table not found yet is asked again.
- Commits do not wait for the disk (`synchronous=NORMAL`, safe with Dagster's WAL journal: a
  crash of the process loses nothing; a power cut may lose the last events, never the file).

Configured in `$DAGSTER_HOME/dagster.yaml` (failmap/dagster_home.py).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS  # type: ignore[attr-defined]
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# Database files that keep an open connection: the index, the running run's file and a few
# more for the webserver's readers.
KEPT_ENGINES = 8


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` with an engine (and its pooled connection) kept per file."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_pid = os.getpid()
        # Engines inherited across fork(): referenced, never closed, never used.
        self._inherited: list[Engine] = []
        self._tables_found: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Any
    ) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        if self._engines_pid != os.getpid():
            self._inherited += self._engines.values()
            self._engines = OrderedDict()
            self._engines_pid = os.getpid()
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
                pool_size=1,
                max_overflow=2,
            )
            event.listen(engine, "connect", _set_synchronous_normal)
            self._engines[shard] = engine
            while len(self._engines) > KEPT_ENGINES:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose()
        else:
            self._engines.move_to_end(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        if table_name in self._tables_found:
            return True
        found = super().has_table(table_name)
        if found:
            self._tables_found.add(table_name)
        return found

    def dispose(self) -> None:
        with self._db_lock:
            if self._engines_pid == os.getpid():
                for engine in self._engines.values():
                    engine.dispose()
            self._engines = OrderedDict()
        super().dispose()


def _set_synchronous_normal(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
