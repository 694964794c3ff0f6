"""Fixes of a pattern: list them, record one (`failmap.fixes`, the same rules as `failmap fix`)."""

from __future__ import annotations

from fastapi import APIRouter

from failmap import fixes
from failmap.api.dependencies import Connection, Writer, require_relations
from failmap.api.errors import NotFound
from failmap.api.models import ErrorDetail, Fix, FixRequest, Page
from failmap.api.routes.common import Limit, Offset, PatternKey, canonical_key

router = APIRouter(tags=["fixes"])

# What `failmap.fixes` reads to know which patterns exist or existed.
PATTERN_RELATIONS = ("marts.pattern_history", "marts.combination_failure_rates")


@router.get(
    "/api/failure-patterns/{pattern_key:path}/fixes",
    responses={404: {"model": ErrorDetail}, 503: {"model": ErrorDetail}},
)
def list_pattern_fixes(
    conn: Connection, pattern_key: PatternKey, limit: Limit = 50, offset: Offset = 0
) -> Page[Fix]:
    """Fixes recorded for the pattern (or its alias), newest first; no items when there are none.

    404 when the key names no pattern that exists or existed.
    """
    canonical_key(pattern_key)
    require_relations(conn, *PATTERN_RELATIONS)
    # One pattern's fixes are written by people, a handful each: the core lists them all (with
    # the alias rules) and the page is cut here.
    recorded = fixes.list_fixes(conn, pattern_key)
    if not recorded:
        problem = fixes.unknown_pattern_problem(conn, pattern_key)
        if problem is not None:
            raise NotFound(problem)
    page = recorded[offset : offset + limit]
    return Page[Fix](
        items=[Fix(**fix.to_dict()) for fix in page],
        total=len(recorded),
        limit=limit,
        offset=offset,
    )


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
def record_pattern_fix(conn: Connection, pattern_key: PatternKey, fix: FixRequest) -> Fix:
    """Record a fix for a pattern that exists or existed; later checks matching it show it."""
    canonical_key(pattern_key)
    require_relations(conn, *PATTERN_RELATIONS)
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
