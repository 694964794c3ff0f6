"""Property-based tests of the whole OpenAPI schema (schemathesis): no 5xx on any generated
request, and every response matches the published schema. Bounded examples per operation.

Each operation's strategy is driven by Hypothesis inside one test (schemathesis' pytest
fixture integration does not run under this pytest), so a failure names the operation.
"Schema-valid data must be accepted" is not checked: the schema cannot express every rule
(a pattern key's published pattern allows a dimension twice or a blank value; the API answers
422 naming the rule), and 422 is right there. Keys drawn from that pattern are mostly unknown
patterns, so the 404 path and the database lookups behind it are exercised too.
"""

from __future__ import annotations

import schemathesis
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from failmap.api import create_app
from failmap.api.routes import ROUTERS

MAX_EXAMPLES = 25


def test_every_operation_answers_within_its_schema(api_database_url: str) -> None:
    app = create_app(database_url=api_database_url, token=None)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Every route of the app is in the schema, so every one is exercised below.
    routes = {
        (method, route.path.replace(":path", ""))
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    assert {(o.method.upper(), o.path) for o in operations} == routes
    assert ("GET", "/api/analytics/change-events") in routes
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def answers_within_schema(case) -> None:
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        try:
            answers_within_schema()
        except Exception as error:
            raise AssertionError(f"{operation.label}: {error}") from error
