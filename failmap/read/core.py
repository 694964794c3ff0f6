"""Running the read layer's queries: `.sql` files in `sql/`, rows as pydantic models."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg.rows import dict_row
from pydantic import BaseModel, ConfigDict

QUERY_DIR = Path(__file__).with_name("sql")


class Row(BaseModel):
    """One row of a read query. A column the query returns and the type lacks is an error
    (`extra="forbid"`): the query and its type are kept in step by the tests."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def columns(self) -> dict[str, Any]:
        """Every column as the query returned it, fields hidden from the API included."""
        return {name: getattr(self, name) for name in type(self).model_fields}


RowT = TypeVar("RowT", bound=Row)


@cache
def query_text(name: str) -> str:
    """The SQL of `sql/<name>.sql` (its parameters are `%(name)s` placeholders)."""
    return (QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8")


def fetch_dicts(conn: psycopg.Connection, name: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of `sql/<name>.sql` run with `params`, as dictionaries."""
    with conn.cursor(row_factory=dict_row) as cursor:
        cursor.execute(query_text(name), params)  # type: ignore[arg-type]
        return cursor.fetchall()


def fetch(conn: psycopg.Connection, name: str, row: type[RowT], **params: Any) -> list[RowT]:
    """Rows of `sql/<name>.sql` run with `params`, each validated as `row`."""
    return [row.model_validate(values) for values in fetch_dicts(conn, name, **params)]


def fetch_one(conn: psycopg.Connection, name: str, row: type[RowT], **params: Any) -> RowT | None:
    """The first row of `sql/<name>.sql`, or None when it returns none."""
    rows = fetch(conn, name, row, **params)
    return rows[0] if rows else None


def fetch_page(
    conn: psycopg.Connection, name: str, row: type[RowT], **params: Any
) -> tuple[list[RowT], int]:
    """One page of `sql/<name>.sql` and how many rows match over all pages.

    The query selects `count(*) over () as matching_count` beside its columns and ends with
    `limit %(limit)s offset %(offset)s` (a null limit is every row). An empty page past the end
    is counted by running the query again without its window.
    """
    found = fetch_dicts(conn, name, **params)
    if not found:
        if not params.get("offset"):
            return [], 0
        found = fetch_dicts(conn, name, **{**params, "limit": 1, "offset": 0})
        return [], int(found[0]["matching_count"]) if found else 0
    total = int(found[0]["matching_count"])
    rows = []
    for values in found:
        del values["matching_count"]
        rows.append(row.model_validate(values))
    return rows, total


def ping(conn: psycopg.Connection) -> None:
    """Run the smallest query: raises when the database does not answer."""
    conn.execute("select 1")


def missing_relations(conn: psycopg.Connection, names: tuple[str, ...]) -> list[str]:
    """The relations of `names` (schema.table) that do not exist, in the order given."""
    return [values["name"] for values in fetch_dicts(conn, "missing_relations", names=list(names))]


def missing_functions(conn: psycopg.Connection, signatures: tuple[str, ...]) -> list[str]:
    """The functions of `signatures` (`schema.name(type, ...)`) that do not exist."""
    found = fetch_dicts(conn, "missing_functions", signatures=list(signatures))
    return [values["signature"] for values in found]


def relation_columns(conn: psycopg.Connection, schema: str, table: str) -> set[str]:
    """Column names of a table or view (empty when it does not exist)."""
    found = fetch_dicts(conn, "relation_columns", schema=schema, table=table)
    return {values["column_name"] for values in found}


def day_start(day: dt.date | None) -> dt.datetime | None:
    """Midnight UTC of `day` (None stays None): the first instant of a UTC day."""
    return None if day is None else dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def day_after(day: dt.date | None) -> dt.datetime | None:
    """Midnight UTC after `day`: the end (excluded) of a period whose last day is `day`
    (None, an open end, for None and for the last representable day)."""
    if day is None or day == dt.date.max:
        return None
    return day_start(day + dt.timedelta(days=1))
