"""`POST /api/check`: a configuration's risk before it is generated (failmap.alerts).

The same function as `failmap check` and the dashboard; logged to app.alert_log with
source `api`.
"""

from __future__ import annotations

from fastapi import APIRouter

from failmap.alerts import CheckResult, check_configuration
from failmap.api.dependencies import Connection, Writer
from failmap.api.models import CheckRequest, ErrorDetail

router = APIRouter(tags=["check"])


@router.post(
    "/api/check",
    dependencies=[Writer],
    responses={
        401: {"model": ErrorDetail},
        403: {"model": ErrorDetail},
        503: {"model": ErrorDetail},
    },
)
def check(conn: Connection, configuration: CheckRequest) -> CheckResult:
    """Severity, predicted failure rate with interval, matching patterns with their fixes,
    alternatives. A warning, never a refusal."""
    return check_configuration(conn, **configuration.model_dump(), source="api")
