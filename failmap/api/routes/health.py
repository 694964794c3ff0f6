"""`GET /api/health`: the API is up and its database answers (503 otherwise)."""

from __future__ import annotations

from fastapi import APIRouter

from failmap.api.dependencies import Connection
from failmap.api.models import ErrorDetail, Health
from failmap.read.core import ping

router = APIRouter(tags=["health"])


@router.get("/api/health", responses={503: {"model": ErrorDetail}})
def health(conn: Connection) -> Health:
    """Up, and the database accepts a query."""
    ping(conn)
    return Health(status="ok", database="reachable")
