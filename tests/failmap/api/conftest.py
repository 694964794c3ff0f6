"""Fixtures for the API tests: one demo database with every mart built, shared by the session.

The demo data (60 days x 1000 segments, seed 1, ending yesterday so `?days=30` covers it) is
loaded with failmap.ingest, the error signatures refreshed, and every dbt model run in-process
(`dbt seed` + `dbt run`: the models' own tests run in tests/dbt). Tests that write (fixes,
checks) write to this database too; they assert on what they wrote, never on totals.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from failmap import database
from failmap.api.app import create_app
from failmap.errors.store import refresh_message_signatures
from failmap.ingest import load_files
from tests.dbt.conftest import new_database, run_dbt

DEMO_DAYS = 60
DEMO_SEGMENTS_PER_DAY = 1000


@pytest.fixture(scope="session")
def api_database_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database with the demo data and every mart built."""
    from failmap.demo import write_demo_data

    folder = tmp_path_factory.mktemp("api_demo")
    summary = write_demo_data(
        folder / "inbox", days=DEMO_DAYS, segments_per_day=DEMO_SEGMENTS_PER_DAY, seed=1
    )
    url = new_database(server_url)
    with database.connect(url) as conn:
        outcomes = load_files(conn, sorted(summary.files))
        assert all(o.status == "loaded" for o in outcomes), [o.summary() for o in outcomes]
        refresh_message_signatures(conn)
    run_dbt(url, ["seed"], folder / "dbt_target")
    run_dbt(url, ["run"], folder / "dbt_target")
    return url


@pytest.fixture(scope="session")
def client(api_database_url: str) -> Iterator[TestClient]:
    """The API on the demo database, no token configured (loopback rules)."""
    app = create_app(database_url=api_database_url, token=None)
    with TestClient(app, client=("127.0.0.1", 50000)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def empty_database_url(server_url: str) -> str:
    """A migrated database without any mart (nothing refreshed yet)."""
    return new_database(server_url)


def demo_pattern(client: TestClient) -> dict:
    """The top-impact pattern of the demo data."""
    response = client.get("/api/analytics/failure-patterns", params={"limit": 1})
    assert response.status_code == 200, response.text
    return response.json()["items"][0]
