"""Fixes of a pattern: list them, record one (`failmap.fixes`, the same rules as `failmap fix`)."""

from __future__ import annotations

from fastapi import APIRouter

from failmap import fixes
from failmap.api.dependencies import Connection, Writer
from failmap.api.errors import NotFound
from failmap.api.models import ErrorDetail, Fix, FixRequest
from failmap.api.routes.common import canonical_key

router = APIRouter(tags=["fixes"])


@router.get(
    "/api/failure-patterns/{pattern_key:path}/fixes",
    responses={404: {"model": ErrorDetail}, 503: {"model": ErrorDetail}},
)
def list_pattern_fixes(conn: Connection, pattern_key: str) -> list[Fix]:
    """Fixes recorded for the pattern (or its alias), newest first; [] when there are none."""
    canonical_key(pattern_key)
    return [Fix(**fix.to_dict()) for fix in fixes.list_fixes(conn, pattern_key)]


@router.post(
    "/api/failure-patterns/{pattern_key:path}/fixes",
    status_code=201,
    dependencies=[Writer],
    responses={
        401: {"model": ErrorDetail},
        403: {"model": ErrorDetail},
        404: {"model": ErrorDetail},
        503: {"model": ErrorDetail},
    },
)
def record_pattern_fix(conn: Connection, pattern_key: str, fix: FixRequest) -> Fix:
    """Record a fix for a pattern that exists or existed; later checks matching it show it."""
    canonical_key(pattern_key)
    try:
        recorded = fixes.record_fix(
            conn,
            pattern_key=pattern_key,
            description=fix.description,
            reported_by=fix.reported_by,
            effectiveness=fix.effectiveness,
            parameters=fix.parameters,
        )
    except fixes.FixValidationError as error:
        # The key is well-formed (checked above): a pattern_key error means it is unknown.
        if "pattern_key" in error.errors:
            raise NotFound(error.errors["pattern_key"]) from None
        raise
    return Fix(**recorded.to_dict())
