"""Query parameters and helpers several routes share: pagination, date ranges, pattern keys."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Query
from fastapi.exceptions import RequestValidationError

from failmap.pattern_keys import combination_key, parse_key

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Rows per page (1-{MAX_LIMIT}).")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")]
Since = Annotated[dt.date | None, Query(description="First day included (UTC).")]
Until = Annotated[dt.date | None, Query(description="Last day included (UTC).")]


def invalid(location: tuple[str, ...], message: str, value: Any = None) -> RequestValidationError:
    """A 422 naming the field and the rule, in FastAPI's own shape."""
    return RequestValidationError(
        [{"loc": location, "msg": message, "type": "value_error", "input": value}]
    )


def check_range(since: dt.date | None, until: dt.date | None) -> None:
    if since is not None and until is not None and since > until:
        raise invalid(("query", "since"), f"since ({since}) must not be after until ({until})")


def canonical_key(pattern_key: str) -> str:
    """The key with its dimensions in the fixed order; 422 when it is not a pattern key."""
    try:
        return combination_key(parse_key(pattern_key))
    except ValueError as error:
        raise invalid(
            ("path", "pattern_key"),
            f"not a pattern key ({error}); e.g. lora=l07|character=c12|segment_position=6+ "
            "(URL-encoded)",
            pattern_key,
        ) from None
