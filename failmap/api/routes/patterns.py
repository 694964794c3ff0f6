"""Failure patterns (marts.failure_patterns): the list with filters, one pattern, its occurrences.

Pattern ids are the stable `pattern_key` (`lora=l07|character=c12|segment_position=6+`),
URL-encoded in paths; dimensions may be given in any order, and an alias of a surfaced pattern
finds the pattern.
"""

from __future__ import annotations

from typing import Annotated, Any

import psycopg
from fastapi import APIRouter, Query
from psycopg import sql

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
    fetch_page,
    fetch_rows,
)
from failmap.pattern_keys import DIMENSIONS

router = APIRouter(tags=["patterns"])

PATTERN_COLUMNS = (
    "pattern_key",
    "description",
    *(f"dimension_{d}" for d in DIMENSIONS),
    "dimension_count",
    "aliases",
    "failure_count",
    "total_count",
    "failure_rate",
    "failure_rate_lower",
    "failure_rate_upper",
    "baseline_rate",
    "risk_ratio",
    "impact",
    "impact_rank",
    "p_value",
    "q_value",
    "severity",
    "last_occurrence",
    "first_detected_at",
    "last_seen_at",
)
UNAVAILABLE = {503: {"model": ErrorDetail, "description": "Database or mart unavailable."}}


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
    require_relations(conn, "marts.failure_patterns")
    wanted = {
        "workflow": workflow,
        "model": model,
        "lora": lora,
        "character": character,
        "scene_type": scene_type,
        "segment_position": segment_position,
    }
    conditions = [
        sql.SQL("(%(severities)s::text[] is null or severity = any(%(severities)s::text[]))"),
        sql.SQL("total_count >= %(min_support)s"),
        sql.SQL("(%(since)s::date is null or last_occurrence >= %(since)s::date)"),
        sql.SQL(
            "(%(until)s::date is null or last_occurrence < %(until)s::date + interval '1 day')"
        ),
    ]
    params: dict[str, Any] = {
        "severities": severity,
        "min_support": min_support,
        "since": since,
        "until": until,
        "limit": limit,
        "offset": offset,
    }
    for dimension, value in wanted.items():
        if value is not None:
            conditions.append(
                sql.SQL("{} = {}").format(
                    sql.Identifier(f"dimension_{dimension}"), sql.Placeholder(dimension)
                )
            )
            params[dimension] = value
    query = sql.SQL(
        "select {columns}, count(*) over () as matching_count "
        "from marts.failure_patterns where {conditions} "
        "order by impact_rank, pattern_key limit %(limit)s offset %(offset)s"
    ).format(
        columns=sql.SQL(", ").join(sql.Identifier(c) for c in PATTERN_COLUMNS),
        conditions=sql.SQL(" and ").join(conditions),
    )
    rows, total = fetch_page(conn, query, params)
    return Page[Pattern](
        items=[pattern_of(row) for row in rows], total=total, limit=limit, offset=offset
    )


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
    require_relations(conn, "marts.failure_patterns", "marts.pattern_occurrences")
    pattern = find_pattern(conn, pattern_key)
    params = {
        "key": pattern["pattern_key"],
        "since": since,
        "until": until,
        "limit": limit,
        "offset": offset,
    }
    where = sql.SQL(
        "where pattern_key = %(key)s "
        "and (%(since)s::date is null or evaluated_at >= %(since)s::date) "
        "and (%(until)s::date is null or evaluated_at < %(until)s::date + interval '1 day')"
    )
    page = sql.SQL(
        "select segment_id, job_id, scene_id, evaluated_at, failed_checks, failure_reasons, "
        "count(*) over () as matching_count "
        "from marts.pattern_occurrences {} "
        "order by evaluated_at desc, segment_id limit %(limit)s offset %(offset)s"
    ).format(where)
    rows, total = fetch_page(conn, page, params)
    return Page[Occurrence](
        items=[Occurrence(**row) for row in rows], total=total, limit=limit, offset=offset
    )


@router.get(
    "/api/failure-patterns/{pattern_key:path}",
    responses={404: {"model": ErrorDetail}, **UNAVAILABLE},
)
def get_pattern(conn: Connection, pattern_key: PatternKey) -> Pattern:
    """One surfaced pattern, by its key or an alias."""
    canonical_key(pattern_key)
    require_relations(conn, "marts.failure_patterns")
    return pattern_of(find_pattern(conn, pattern_key))


def find_pattern(conn: psycopg.Connection, pattern_key: str) -> dict[str, Any]:
    """The surfaced pattern with this key or alias (any dimension order); 404 otherwise."""
    key = canonical_key(pattern_key)
    query = sql.SQL(
        "select {columns} from marts.failure_patterns "
        "where pattern_key = %(key)s or %(key)s = any(aliases) "
        "order by pattern_key = %(key)s desc limit 1"
    ).format(columns=sql.SQL(", ").join(sql.Identifier(c) for c in PATTERN_COLUMNS))
    rows = fetch_rows(conn, query, {"key": key})
    if not rows:
        raise NotFound(f"no surfaced pattern {key!r}; list them at /api/analytics/failure-patterns")
    return rows[0]


def pattern_of(row: dict[str, Any]) -> Pattern:
    dimensions = {d: row[f"dimension_{d}"] for d in DIMENSIONS if row[f"dimension_{d}"]}
    fields = {
        name: value
        for name, value in row.items()
        if not name.startswith("dimension_") or name == "dimension_count"
    }
    fields["aliases"] = list(row["aliases"] or [])
    return Pattern(dimensions=dimensions, **fields)
