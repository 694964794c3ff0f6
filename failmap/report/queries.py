"""Reads of the marts for the report; the SQL is in `queries/`, one file per question."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

QUERY_DIR = Path(__file__).with_name("queries")

# What the report reads; the first missing one means the marts have not been built.
REQUIRED_RELATIONS = (
    "marts.run_errors",
    "marts.error_signatures",
    "marts.error_summary",
    "marts.phase_error_breakdown",
    "marts.error_trends",
    "marts.debug_recommendations",
)
FAILURE_PATTERN_COLUMNS = frozenset(
    {"pattern_key", "description", "failure_count", "total_count", "failure_rate", "severity"}
)


def query_text(name: str) -> str:
    """The SQL of `queries/<name>.sql` (its parameters are `%(name)s` placeholders)."""
    return (QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8")


def fetch(conn: psycopg.Connection, name: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of `queries/<name>.sql` run with `params`, as dictionaries."""
    with conn.cursor(row_factory=dict_row) as cursor:
        cursor.execute(query_text(name), params)
        return cursor.fetchall()


def missing_relations(conn: psycopg.Connection, names: tuple[str, ...]) -> list[str]:
    """The relations of `names` (schema.table) that do not exist."""
    found = conn.execute(
        "select name from unnest(%s::text[]) as name where to_regclass(name) is null",
        [list(names)],
    ).fetchall()
    return [row[0] for row in found]


def relation_columns(conn: psycopg.Connection, schema: str, table: str) -> set[str]:
    """Column names of a table or view (empty when it does not exist)."""
    rows = conn.execute(
        "select column_name from information_schema.columns "
        "where table_schema = %s and table_name = %s",
        [schema, table],
    ).fetchall()
    return {row[0] for row in rows}
