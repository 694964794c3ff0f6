"""The private APIs failmap still uses are where failmap expects them (docs/architecture.md).

An upgrade that moves one fails here, by name, instead of silently losing what it bought.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from dagster_dbt import DbtCliResource

from failmap import database
from orchestration.defs.transform.resource import FailmapDbtCliResource


def test_dagster_dbt_still_calls_the_two_methods_failmap_overrides() -> None:
    """`cli()` reads `_cli_version` and builds `_initialize_dbt_core_adapter`: if it stopped,
    failmap's overrides would do nothing (and a renamed hook would bring back a `dbt --version`
    subprocess per run)."""
    called = set(DbtCliResource.cli.__code__.co_names)
    overridden = {"_cli_version", "_initialize_dbt_core_adapter"}
    assert overridden <= called
    assert all(name in vars(FailmapDbtCliResource) for name in overridden)


def test_the_running_embedded_server_is_found_without_starting_one(server_url: str) -> None:
    """`embedded_status` reads pgserver's PostmasterInfo: the session's server is found, with a
    URL that connects; a data directory with no server is reported as not running."""
    socket_dir = Path(psycopg.conninfo.conninfo_to_dict(server_url)["host"])  # type: ignore[arg-type]
    url = database.embedded_status(socket_dir)
    assert url is not None
    with database.connect(url) as connection:
        assert connection.execute("select 1").fetchone() == (1,)
    assert database.embedded_status(socket_dir.parent / "no_server_here") is None


def test_dagsters_sqlite_event_log_still_opens_its_connections_in_connect() -> None:
    """failmap's event log (failmap/runtime/event_log.py) keeps a connection per file by
    overriding `_connect`, using `_initdb`, `_initialized_dbs` and `_db_lock`: if Dagster's
    reads and writes stopped going through `_connect`, the override would do nothing."""
    import inspect

    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    for method in (SqliteEventLogStorage.run_connection, SqliteEventLogStorage.index_connection):
        assert "self._connect(" in inspect.getsource(method)
    connect = inspect.getsource(SqliteEventLogStorage._connect)
    assert all(name in connect for name in ("_db_lock", "_initdb", "_initialized_dbs"))
