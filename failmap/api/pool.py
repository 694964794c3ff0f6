"""The API's database connections: one psycopg pool per app, opened lazily.

Each request borrows one connection (autocommit, as before: core functions open their own
transactions) and gives it back when the response is done, so a request does not pay for a
new PostgreSQL backend (a few ms to tens of ms under load, see benchmarks/README.md).

- The pool is opened by the app's lifespan without waiting (`open(wait=False)`): the API starts
  even when the database is down, and connects in the background as soon as it answers.
- psycopg's pool checks every connection it lends (`check=ConnectionPool.check_connection`): a
  connection broken by a server restart is dropped and replaced instead of failing the request.
- When the server is unreachable a request answers 503 with libpq's reason
  (`DatabaseUnreachable`), after DOWN_WAIT seconds once a connection attempt has failed. When
  every connection is in use for `timeout` seconds it answers 503 "busy".
- After an outage the pool reconnects by itself, attempting again with psycopg's backoff (1, 2,
  4 ... s, each attempt given up after RECONNECT_TIMEOUT); until it has, requests answer 503. No
  request opens a connection outside the pool, so the server never sees more than `max_size`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from failmap import database
from failmap.api.errors import Unavailable

POOL_SIZE = 10  # connections at most; the API's clients are the studio's tools
POOL_TIMEOUT = 10.0  # seconds a request waits for a free connection before answering 503
DOWN_WAIT = 0.25  # seconds a request waits for the pool once a connection attempt has failed
WAIT_SLICE = 0.5  # seconds between looks at whether the pool's attempts are failing
RECONNECT_TIMEOUT = 30.0  # psycopg gives up a reconnection attempt (backoff 1, 2, 4 ... s)
APPLICATION_NAME = "failmap-api"  # how the API's connections show in pg_stat_activity
CONNECTION_PARAMETERS = {
    "connect_timeout": database.CONNECT_TIMEOUT,
    "application_name": APPLICATION_NAME,
}


class DatabasePool:
    """The connections of one app to `url`, with the answers above when none can be had."""

    def __init__(
        self, url: str, *, max_size: int = POOL_SIZE, timeout: float = POOL_TIMEOUT
    ) -> None:
        self.url = url
        self.max_size = max_size
        self.timeout = timeout
        # Why the latest connection attempt failed (None: it succeeded, or none was made yet).
        self.down: database.DatabaseUnreachable | None = None
        self.pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            database.psycopg_url(url),
            connection_class=self._connection_class(),
            # No server-side prepared statements: a refresh that changes a mart's column types
            # would fail them on every pooled connection ("cached plan must not change result
            # type") until it is recycled. Measured cost of going without: < 1 ms a request.
            kwargs={"autocommit": True, "prepare_threshold": None, **CONNECTION_PARAMETERS},
            min_size=1,
            max_size=max_size,
            open=False,
            timeout=timeout,
            check=ConnectionPool.check_connection,
            reconnect_timeout=RECONNECT_TIMEOUT,
            name=APPLICATION_NAME,
        )

    def open(self) -> None:
        """Start connecting in the background; returns at once, whether the server is up or not."""
        self.pool.open(wait=False)

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A working connection for one request (503 when none can be had), given back after."""
        conn = self._checkout()
        try:
            yield conn
        finally:
            self.pool.putconn(conn)

    def _checkout(self) -> psycopg.Connection[Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            # Wait in slices, to notice when the pool's connection attempts start failing.
            down = self.down
            wait = DOWN_WAIT if down else min(WAIT_SLICE, deadline - time.monotonic())
            if wait <= 0:
                raise Unavailable(
                    f"all {self.max_size} database connections of the API stayed in use for "
                    f"{self.timeout:g} s; try again shortly"
                )
            try:
                return self.pool.getconn(timeout=wait)
            except PoolTimeout:
                if down is not None:
                    raise database.DatabaseUnreachable(str(down)) from None
            except PoolClosed:
                raise Unavailable("the API is shutting down") from None

    def _connection_class(self) -> type[psycopg.Connection[Any]]:
        """psycopg's Connection, noting in `self.down` how each of the pool's attempts went."""
        pool = self

        class PooledConnection(psycopg.Connection[Any]):
            @classmethod
            def connect(cls, conninfo: str = "", **kwargs: Any) -> PooledConnection:  # type: ignore[override]
                try:
                    conn = super().connect(conninfo, **kwargs)
                except psycopg.OperationalError as error:
                    pool.down = database.unreachable(pool.url, error)
                    raise
                pool.down = None
                return conn

        return PooledConnection
