"""The API's database connections: one psycopg pool per app, opened lazily.

Each request borrows one connection (autocommit, as before: core functions open their own
transactions) and gives it back when the response is done, so a request no longer pays for a
new PostgreSQL backend (a few ms to tens of ms under load, see benchmarks/README.md).

- The pool is opened by the app's lifespan without waiting (`open(wait=False)`): the API starts
  even when the database is down, and connects in the background as soon as it answers.
- Every borrowed connection is pinged first (an empty query): a connection broken by a server
  restart is dropped and replaced instead of failing the request.
- When the server is unreachable a request answers 503 with libpq's reason
  (`DatabaseUnreachable`), after DOWN_WAIT seconds once a connection attempt has failed. When
  every connection is in use for `timeout` seconds it answers 503 "busy".
- Right after an outage the pool may still be waiting between reconnection attempts (psycopg's
  backoff, at most RECONNECT_TIMEOUT): the server is asked directly and, when it answers, that
  request gets a connection of its own (closed after it), until the pool has reconnected.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from failmap import database
from failmap.api.errors import Unavailable

log = logging.getLogger("failmap.api")

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
        self._in_use = 0
        self._lock = threading.Lock()
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
        conn, pooled = self._checkout()
        try:
            yield conn
        finally:
            if pooled:
                with self._lock:
                    self._in_use -= 1
                self.pool.putconn(conn)
            else:
                conn.close()

    def _checkout(self) -> tuple[psycopg.Connection[Any], bool]:
        deadline = time.monotonic() + self.timeout
        recovering = False
        dropped = 0
        while dropped <= self.max_size:
            # Wait in slices, to notice when the pool's connection attempts start failing.
            recovering = recovering or self.down is not None
            wait = DOWN_WAIT if recovering else min(WAIT_SLICE, deadline - time.monotonic())
            if wait <= 0:
                break
            try:
                conn = self.pool.getconn(timeout=wait)
            except PoolTimeout:
                if recovering:
                    break
                continue
            except PoolClosed:
                raise Unavailable("the API is shutting down") from None
            if _works(conn):
                with self._lock:
                    self._in_use += 1
                return conn, True
            # Broken since it was made (the server restarted or stopped): the pool discards it
            # and connects a new one. After a restart it may hold several such connections.
            self.pool.putconn(conn)
            recovering = True
            dropped += 1
        return self._direct(recovering), False

    def _direct(self, recovering: bool) -> psycopg.Connection[Any]:
        """No pooled connection in time: busy, unreachable, or the pool has yet to reconnect."""
        with self._lock:
            busy = self._in_use >= self.max_size
        if busy and not recovering:
            raise Unavailable(
                f"all {self.max_size} database connections of the API stayed in use for "
                f"{self.timeout:g} s; try again shortly"
            )
        try:
            conn = database.connect(self.url, autocommit=True, application_name=APPLICATION_NAME)
        except database.DatabaseUnreachable as error:
            self.down = error
            raise
        log.info("the database answers again; the pool has not reconnected yet")
        return conn

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


def _works(conn: psycopg.Connection[Any]) -> bool:
    """Whether the connection still reaches its server (one empty query)."""
    try:
        conn.execute("")
    except psycopg.Error:
        return False
    return True
