"""Property-based tests of the whole OpenAPI schema (schemathesis): no 5xx on any generated
request, and every response matches the published schema. Bounded examples per operation."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from failmap.api import create_app

MAX_EXAMPLES = 25


@pytest.fixture(scope="session")
def api_schema(api_database_url: str):
    app = create_app(database_url=api_database_url, token=None)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_schema(case) -> None:
    case.call_and_validate()
