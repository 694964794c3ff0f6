"""Query parameters and helpers several routes share: pagination, date ranges, pattern keys."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Path, Query
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator

from failmap.alerts.configuration import MAX_VALUE_LENGTH
from failmap.pattern_keys import DIMENSIONS, combination_key, parse_key

MAX_LIMIT = 500
MAX_OFFSET = 100_000  # deeper pages make the database skip that many rows: filter instead

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Rows per page (1-{MAX_LIMIT}).")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")]
Since = Annotated[dt.date | None, Query(description="First day included (UTC).")]
Until = Annotated[dt.date | None, Query(description="Last day included (UTC).")]


def _without_nul(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL, so no value in the data has one; the database would
    # refuse the query instead of finding nothing.
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


FilterValue = Annotated[
    str | None,
    Query(min_length=1, max_length=MAX_VALUE_LENGTH),
    AfterValidator(_without_nul),
]
"""A `dimension=value`-style filter: 1 to MAX_VALUE_LENGTH characters, no NUL."""

# Long enough for all six dimensions with values as long as the API accepts anywhere else.
MAX_PATTERN_KEY_LENGTH = len(combination_key({d: "x" * MAX_VALUE_LENGTH for d in DIMENSIONS}))
_DIMENSION_NAME = "(?:" + "|".join(DIMENSIONS) + ")"
_KEY_PART = _DIMENSION_NAME + "=[^|\\x00]+"
PATTERN_KEY_PATTERN = f"^{_KEY_PART}(?:\\|{_KEY_PART}){{0,{len(DIMENSIONS) - 1}}}$"

PatternKey = Annotated[
    str,
    Path(
        min_length=1,
        max_length=MAX_PATTERN_KEY_LENGTH,
        description=(
            "The pattern's stable key, `dimension=value` pairs joined by `|` (dimensions: "
            f"{', '.join(DIMENSIONS)}; any order, each at most once), URL-encoded. An alias of "
            "a surfaced pattern finds the pattern."
        ),
        examples=["lora=l07|character=c12|segment_position=6+"],
        # Published for clients and schema-driven tests; the route checks the rule itself
        # (canonical_key) so that a 422 says which part is wrong.
        json_schema_extra={"pattern": PATTERN_KEY_PATTERN},
    ),
]


def invalid(location: tuple[str, ...], message: str, value: Any = None) -> RequestValidationError:
    """A 422 naming the field and the rule, in FastAPI's own shape."""
    return RequestValidationError(
        [{"loc": location, "msg": message, "type": "value_error", "input": value}]
    )


def check_range(since: dt.date | None, until: dt.date | None) -> None:
    if since is not None and until is not None and since > until:
        message = f"since ({since}) must not be after until ({until})"
        raise invalid(("query", "since"), message, since)


def canonical_key(pattern_key: str) -> str:
    """The key with its dimensions in the fixed order; 422 when it is not a pattern key.

    Length is checked by the PatternKey parameter; a well-formed key that matches no pattern
    is the route's 404, not a 422.
    """
    try:
        return combination_key(parse_key(pattern_key))
    except ValueError as error:
        raise invalid(
            ("path", "pattern_key"),
            f"not a pattern key ({error}); e.g. lora=l07|character=c12|segment_position=6+ "
            "(URL-encoded)",
            pattern_key,
        ) from None
