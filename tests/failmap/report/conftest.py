"""Fixtures of the report tests: databases with the error marts built (once per session)."""

from __future__ import annotations

import pytest

from tests.dbt.error_marts import crafted_marts, demo_marts, empty_marts


@pytest.fixture(scope="session")
def demo_marts_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_marts(server_url, tmp_path_factory.mktemp("demo_runs"))


@pytest.fixture(scope="session")
def crafted_marts_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return crafted_marts(server_url, tmp_path_factory.mktemp("crafted_runs"))


@pytest.fixture(scope="session")
def empty_marts_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return empty_marts(server_url, tmp_path_factory.mktemp("no_runs"))
