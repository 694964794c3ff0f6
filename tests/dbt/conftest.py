"""Helpers for the dbt tests: a fresh migrated database per module and dbt run in-process.

dbt runs in-process (failmap.dbt_invoke: no Dagster, no subprocess start-up) against the
session's embedded PostgreSQL, with its own target path so it never disturbs
`dbt_project/target`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from failmap import database
from failmap.dbt_invoke import DbtFailed, invoke_dbt
from failmap.ingest import load_files
from tests.conftest import REPO_ROOT, TEMPLATE_DATABASE, with_database

DBT_PROJECT = REPO_ROOT / "dbt_project"


def new_database(server_url: str) -> str:
    """A new, migrated, empty database on the session server."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with database.connect(server_url, autocommit=True) as conn:
        conn.execute(f"create database {name} template {TEMPLATE_DATABASE}")
    return with_database(server_url, name)


def loaded_database(server_url: str, files: Iterable[Path]) -> str:
    """A new database (as `new_database`) with `files` loaded into `raw`, before any dbt run."""
    url = new_database(server_url)
    with database.connect(url) as conn:
        load_files(conn, list(files))
    return url


def run_dbt(url: str, args: list[str], target_path: Path) -> Any:
    """Run one dbt command against `url` and return its result; fails the test (with dbt's
    messages) when dbt fails. The connection variables dbt reads are put back afterwards."""
    saved = dict(os.environ)
    try:
        return invoke_dbt(args, url=url, target_path=target_path)
    except DbtFailed as error:
        raise AssertionError(str(error)) from None
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def module_database(server_url: str) -> Iterator[str]:
    """One fresh database shared by the tests of a module."""
    yield new_database(server_url)


@pytest.fixture(scope="module")
def dbt_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dbt_target")


@pytest.fixture(scope="module")
def stats_db(module_database: str, dbt_target: Path) -> str:
    """The module's database with the statistics functions of macros/stats installed."""
    run_dbt(module_database, ["run-operation", "install_stats_functions"], dbt_target)
    return module_database


def compiled_rows(url: str, sql: str, target_path: Path) -> list[tuple]:
    """The rows of `sql` run on `url` after dbt rendered its Jinja (the project's macros)."""
    result = run_dbt(url, ["compile", "--inline", sql], target_path)
    with database.connect(url) as conn:
        return conn.execute(result.results[0].node.compiled_code).fetchall()


def data_test_failures(url: str, test_name: str, target_path: Path) -> list[tuple]:
    """The rows data test `test_name` fails with on `url` ([] when `dbt test` passes it): its
    compiled SQL run again, so a test says which problem it found."""
    try:
        run_dbt(url, ["test", "--select", test_name], target_path)
    except AssertionError:
        compiled = next((target_path / "compiled").rglob(f"{test_name}.sql")).read_text()
        with database.connect(url) as conn:
            return conn.execute(compiled).fetchall()
    return []
