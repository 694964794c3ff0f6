"""One way for core functions to take "a database": a URL, a psycopg connection or SQLAlchemy.

The CLI holds a URL, the dashboard a cached SQLAlchemy engine, tests and the API a psycopg
connection. Functions such as `failmap.alerts.check_configuration` and `failmap.fixes.record_fix`
accept any of them and use `open_connection`:

- a URL (`postgresql://...` or `postgresql+psycopg://...`): a connection is opened for the call
  and closed after it; what the function writes is committed.
- a `psycopg.Connection`: used as it is. Writes run in `conn.transaction()`: committed at once
  when no transaction is open, otherwise a savepoint inside the caller's transaction (the caller
  commits).
- a SQLAlchemy `Engine` or `Connection` (psycopg 3 driver): the underlying psycopg connection is
  borrowed from the pool (engine) or the connection, with the same rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from failmap import database

DatabaseSource = Any  # str | psycopg.Connection | sqlalchemy.Engine | sqlalchemy.Connection


@contextmanager
def open_connection(source: DatabaseSource) -> Iterator[psycopg.Connection]:
    """A psycopg connection for `source` (see the module docstring for what each kind means)."""
    if isinstance(source, str):
        with database.connect(source) as conn:
            yield conn
        return
    if isinstance(source, psycopg.Connection):
        yield source
        return
    engine_connect = getattr(source, "raw_connection", None)
    if callable(engine_connect):  # sqlalchemy.Engine
        pooled = engine_connect()
        try:
            yield _psycopg_of(pooled.driver_connection)
            pooled.commit()
        finally:
            pooled.close()
        return
    if hasattr(source, "connection") and hasattr(source, "commit"):  # sqlalchemy.Connection
        yield _psycopg_of(source.connection.driver_connection)
        return
    raise TypeError(
        "expected a database URL, a psycopg connection or a SQLAlchemy engine/connection, "
        f"got {type(source).__name__}"
    )


def _psycopg_of(driver_connection: object) -> psycopg.Connection:
    if not isinstance(driver_connection, psycopg.Connection):
        raise TypeError(
            "the SQLAlchemy engine must use the psycopg 3 driver (postgresql+psycopg://...), "
            f"got a {type(driver_connection).__module__} connection"
        )
    return driver_connection
