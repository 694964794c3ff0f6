"""Fixes people found for failure patterns: record them (validated) and list them.

A fix belongs to a pattern that exists or has existed (`marts.failure_patterns`,
`marts.pattern_history`, or an alias of a surfaced pattern, which is stored under the pattern's
own key). Text is stored verbatim. When the pattern involves a LoRA, a model or a character, a
compatibility note is written for each of them (`app.compatibility_notes`), so the fix shows up
wherever that value is discussed. Future checks that match the pattern show its fixes, and
`marts.fix_effectiveness` measures whether the pattern's failure rate dropped after it.

`database` is a URL, a psycopg connection or a SQLAlchemy engine/connection
(`failmap.connections`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from failmap.connections import DatabaseSource, open_connection
from failmap.pattern_keys import DIMENSIONS, LABELS, combination_key, parse_key
from failmap.validation import InvalidFields

EFFECTIVENESS: tuple[str, ...] = ("resolved", "improved", "no_effect")
MAX_DESCRIPTION_LENGTH = 2000  # app.pattern_fixes.fix_description
MAX_REPORTED_BY_LENGTH = 200  # app.pattern_fixes.reported_by
MAX_NOTE_LENGTH = 2000  # app.compatibility_notes.note
MAX_PARAMETERS_LENGTH = 20_000  # JSON text; parameters are settings, not documents
NOTE_DIMENSIONS: tuple[str, ...] = ("model", "lora", "character")


class FixValidationError(InvalidFields):
    """A fix that cannot be recorded; `errors` maps each field to what is wrong with it."""


@dataclass(frozen=True)
class Fix:
    """A recorded fix (a row of app.pattern_fixes) and the notes written with it."""

    fix_id: int
    pattern_key: str
    description: str
    parameters: dict[str, Any] | None
    effectiveness: str | None
    reported_by: str
    created_at: dt.datetime
    note_ids: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["note_ids"] = list(self.note_ids)
        return data


def record_fix(
    database: DatabaseSource,
    *,
    pattern_key: str,
    description: str,
    reported_by: str,
    effectiveness: str | None = None,
    parameters: Mapping[str, Any] | str | None = None,
) -> Fix:
    """Validate and store a fix for a pattern; raises FixValidationError naming each bad field.

    `parameters` is a JSON object, as a mapping or as JSON text. An alias of a surfaced pattern
    is accepted and the fix is stored under the pattern's own key. Keys may list their
    dimensions in any order.
    """
    errors: dict[str, str] = {}
    _check_text(errors, "description", description, MAX_DESCRIPTION_LENGTH)
    _check_text(errors, "reported_by", reported_by, MAX_REPORTED_BY_LENGTH)
    if effectiveness is not None and effectiveness not in EFFECTIVENESS:
        errors["effectiveness"] = (
            f"must be one of {', '.join(EFFECTIVENESS)} (as reported), got {effectiveness!r}"
        )
    parsed_parameters = _parameters(errors, parameters)
    key_dimensions: dict[str, str] | None = None
    try:
        key_dimensions = parse_key(pattern_key or "")
    except ValueError as error:
        errors["pattern_key"] = f"{pattern_key!r} is not a pattern key ({error}); e.g. " + (
            "'lora=l07|character=c12|segment_position=6+'"
        )
    with open_connection(database) as conn, conn.transaction():
        if key_dimensions is not None:
            canonical = _existing_pattern_key(conn, combination_key(key_dimensions))
            if canonical is None:
                errors["pattern_key"] = _unknown_pattern_message(conn, pattern_key, key_dimensions)
            else:
                key_dimensions = parse_key(canonical)
        if errors:
            raise FixValidationError(errors)
        assert key_dimensions is not None
        canonical_key = combination_key(key_dimensions)
        row = conn.execute(
            """
            insert into app.pattern_fixes
                (pattern_key, fix_description, fix_parameters, effectiveness, reported_by)
            values (%s, %s, %s, %s, %s)
            returning fix_id, created_at
            """,
            (
                canonical_key,
                description,
                None if parsed_parameters is None else Jsonb(parsed_parameters),
                effectiveness,
                reported_by,
            ),
        ).fetchone()
        assert row is not None
        fix_id, created_at = row
        note_ids = tuple(
            _write_note(conn, fix_id, dimension, key_dimensions, description, reported_by)
            for dimension in NOTE_DIMENSIONS
            if dimension in key_dimensions
        )
    return Fix(
        fix_id=fix_id,
        pattern_key=canonical_key,
        description=description,
        parameters=parsed_parameters,
        effectiveness=effectiveness,
        reported_by=reported_by,
        created_at=created_at,
        note_ids=note_ids,
    )


def list_fixes(database: DatabaseSource, pattern_key: str | None = None) -> list[Fix]:
    """Recorded fixes, newest first; only those of one pattern (or its alias) when given."""
    with open_connection(database) as conn, conn.transaction():
        keys: list[str] | None = None
        if pattern_key is not None:
            try:
                wanted = combination_key(parse_key(pattern_key))
            except ValueError as error:
                raise FixValidationError({"pattern_key": str(error)}) from None
            keys = [wanted]
            canonical = _existing_pattern_key(conn, wanted)
            if canonical is not None and canonical != wanted:
                keys.append(canonical)
        return fixes_for(conn, keys)


def fixes_for(conn: psycopg.Connection, pattern_keys: list[str] | None) -> list[Fix]:
    """Fixes of the given pattern keys (all fixes for None), newest first, with their notes."""
    rows = conn.execute(
        """
        select
            fixes.fix_id,
            fixes.pattern_key,
            fixes.fix_description,
            fixes.fix_parameters,
            fixes.effectiveness,
            fixes.reported_by,
            fixes.created_at,
            coalesce(
                array_agg(notes.note_id order by notes.note_id)
                    filter (where notes.note_id is not null),
                '{}'
            )
        from app.pattern_fixes as fixes
        left join app.compatibility_notes as notes on notes.fix_id = fixes.fix_id
        where %(keys)s::text[] is null or fixes.pattern_key = any(%(keys)s::text[])
        group by fixes.fix_id
        order by fixes.created_at desc, fixes.fix_id desc
        """,
        {"keys": pattern_keys},
    ).fetchall()
    return [
        Fix(
            fix_id=row[0],
            pattern_key=row[1],
            description=row[2],
            parameters=row[3],
            effectiveness=row[4],
            reported_by=row[5],
            created_at=row[6],
            note_ids=tuple(row[7]),
        )
        for row in rows
    ]


def _check_text(errors: dict[str, str], field: str, value: object, limit: int) -> None:
    if not isinstance(value, str) or not value.strip():
        errors[field] = "required: give a non-empty text"
    elif len(value) > limit:
        errors[field] = f"at most {limit} characters, got {len(value)}"
    elif "\x00" in value:
        errors[field] = "must not contain NUL characters"


def _parameters(
    errors: dict[str, str], parameters: Mapping[str, Any] | str | None
) -> dict[str, Any] | None:
    if parameters is None:
        return None
    if isinstance(parameters, str):
        if len(parameters) > MAX_PARAMETERS_LENGTH:
            errors["parameters"] = f"at most {MAX_PARAMETERS_LENGTH} characters of JSON"
            return None
        try:
            value = json.loads(parameters)
        except json.JSONDecodeError as error:
            errors["parameters"] = (
                f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}); "
                'give an object such as {"cfg_scale": 6}'
            )
            return None
    else:
        value = parameters
    if not isinstance(value, Mapping):
        errors["parameters"] = (
            f'must be a JSON object such as {{"cfg_scale": 6}}, got {type(value).__name__}'
        )
        return None
    try:
        text = json.dumps(dict(value), allow_nan=False)
    except (TypeError, ValueError, RecursionError) as error:
        errors["parameters"] = f"cannot be stored as JSON: {error}"
        return None
    # The same limit however the parameters came (JSON text, a mapping from the API or code).
    if len(text) > MAX_PARAMETERS_LENGTH:
        errors["parameters"] = (
            f"at most {MAX_PARAMETERS_LENGTH} characters of JSON, got {len(text):,}"
        )
        return None
    return json.loads(text)


def unknown_pattern_problem(conn: psycopg.Connection, pattern_key: str) -> str | None:
    """Why a well-formed `pattern_key` names no pattern that exists or existed (with related
    patterns to try), or None when it names one (or an alias of a surfaced one)."""
    dimensions = parse_key(pattern_key)
    if _existing_pattern_key(conn, combination_key(dimensions)) is not None:
        return None
    return _unknown_pattern_message(conn, pattern_key, dimensions)


def _existing_pattern_key(conn: psycopg.Connection, key: str) -> str | None:
    """The pattern's own key when `key` is a pattern that exists or existed, or an alias of a
    surfaced one; None otherwise."""
    try:
        row = conn.execute(
            """
            select history.pattern_key
            from marts.pattern_history as history
            where history.pattern_key = %(key)s
            union all
            select combinations.pattern_key
            from marts.combination_failure_rates as combinations
            where combinations.combination_key = %(key)s and combinations.pattern_key is not null
            limit 1
            """,
            {"key": key},
        ).fetchone()
    except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName):
        raise FixValidationError(
            {"pattern_key": "no patterns yet: run `failmap refresh` to build the marts first"}
        ) from None
    return None if row is None else row[0]


def _unknown_pattern_message(
    conn: psycopg.Connection, given: str, dimensions: Mapping[str, str]
) -> str:
    rows = conn.execute(
        """
        select history.pattern_key
        from marts.pattern_history as history
        where exists (
            select 1 from unnest(string_to_array(history.pattern_key, '|')) as part
            where part = any(%s)
        )
        order by history.pattern_key
        limit 5
        """,
        ([f"{d}={v}" for d, v in dimensions.items()],),
    ).fetchall()
    message = f"{given!r} is not a pattern that exists or existed"
    if rows:
        message += "; related patterns: " + ", ".join(row[0] for row in rows)
    return message + " (see `failmap check`, or marts.failure_patterns)"


def _write_note(
    conn: psycopg.Connection,
    fix_id: int,
    dimension: str,
    pattern: Mapping[str, str],
    description: str,
    reported_by: str,
) -> int:
    others = [f"{LABELS[d]} {v}" for d, v in pattern.items() if d != dimension]
    context = f"With {' + '.join(others)}" if others else "Known failure pattern"
    prefix = f"{context} (fix #{fix_id}): "
    room = MAX_NOTE_LENGTH - len(prefix)
    text = description if len(description) <= room else description[: room - 1] + "…"
    row = conn.execute(
        """
        insert into app.compatibility_notes (dimension, dimension_value, note, fix_id, reported_by)
        values (%s, %s, %s, %s, %s)
        returning note_id
        """,
        (dimension, pattern[dimension], prefix + text, fix_id, reported_by),
    ).fetchone()
    assert row is not None
    return row[0]


assert set(NOTE_DIMENSIONS) <= set(DIMENSIONS)
