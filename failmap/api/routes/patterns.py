"""Failure patterns (marts.failure_patterns): the list with filters, one pattern, its occurrences.

Pattern ids are the stable `pattern_key` (`lora=l07|character=c12|segment_position=6+`),
URL-encoded in paths; dimensions may be given in any order, and an alias of a surfaced pattern
finds the pattern.
"""

from __future__ import annotations

from typing import Annotated, Any

import psycopg
from fastapi import APIRouter, Query

from failmap.api.dependencies import Connection, require_relations
from failmap.api.errors import NotFound
from failmap.api.models import ErrorDetail, Occurrence, Page, Pattern, PatternSeverity
from failmap.api.routes.common import (
    FilterValue,
    Limit,
    Offset,
    PatternKey,
    Since,
    Until,
    canonical_key,
    check_range,
)
from failmap.read import patterns
from failmap.read.core import day_after, day_start

router = APIRouter(tags=["patterns"])

UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorDetail, "description": "Database or mart unavailable."}
}


@router.get("/api/analytics/failure-patterns", responses=UNAVAILABLE)
def list_patterns(
    conn: Connection,
    severity: Annotated[
        list[PatternSeverity] | None, Query(description="Only these severities (repeatable).")
    ] = None,
    workflow: FilterValue = None,
    model: FilterValue = None,
    lora: FilterValue = None,
    character: FilterValue = None,
    scene_type: FilterValue = None,
    segment_position: FilterValue = None,
    min_support: Annotated[
        int,
        Query(ge=0, le=2**31 - 1, description="Only patterns with at least this many segments."),
    ] = 0,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[Pattern]:
    """Surfaced patterns, most excess failures first.

    `dimension=value` filters (e.g. `lora=l07`) keep patterns that include that value;
    `since`/`until` filter on the pattern's last failing segment.
    """
    check_range(since, until)
    require_relations(conn, *patterns.RELATIONS)
    wanted = {
        "workflow": workflow,
        "model": model,
        "lora": lora,
        "character": character,
        "scene_type": scene_type,
        "segment_position": segment_position,
    }
    rows, total = patterns.failure_patterns(
        conn,
        severities=list(severity) if severity else None,
        values=wanted,
        min_support=min_support,
        since_at=day_start(since),
        until_at=day_after(until),
        limit=limit,
        offset=offset,
    )
    return Page[Pattern](items=rows, total=total, limit=limit, offset=offset)


@router.get(
    "/api/failure-patterns/{pattern_key:path}/occurrences",
    responses={404: {"model": ErrorDetail}, **UNAVAILABLE},
)
def list_occurrences(
    conn: Connection,
    pattern_key: PatternKey,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[Occurrence]:
    """The pattern's failing segments, newest first (the drill-down)."""
    check_range(since, until)
    canonical_key(pattern_key)  # 422 for a malformed key before anything else
    require_relations(conn, *patterns.RELATIONS, "marts.pattern_occurrences")
    pattern = find_pattern(conn, pattern_key)
    rows, total = patterns.pattern_occurrences(
        conn,
        pattern.pattern_key,
        start_at=day_start(since),
        end_at=day_after(until),
        limit=limit,
        offset=offset,
    )
    return Page[Occurrence](items=rows, total=total, limit=limit, offset=offset)


@router.get(
    "/api/failure-patterns/{pattern_key:path}",
    responses={404: {"model": ErrorDetail}, **UNAVAILABLE},
)
def get_pattern(conn: Connection, pattern_key: PatternKey) -> Pattern:
    """One surfaced pattern, by its key or an alias."""
    canonical_key(pattern_key)
    require_relations(conn, *patterns.RELATIONS)
    return find_pattern(conn, pattern_key)


def find_pattern(conn: psycopg.Connection, pattern_key: str) -> Pattern:
    """The surfaced pattern with this key or alias (any dimension order); 404 otherwise."""
    key = canonical_key(pattern_key)
    found = patterns.find_pattern(conn, key)
    if found is None:
        raise NotFound(f"no surfaced pattern {key!r}; list them at /api/analytics/failure-patterns")
    return found
