"""How the API answers when something is wrong: a message for a person, never a stack trace.

- 422: bad input, in FastAPI's shape (`detail: [{loc, msg, type}]`): `loc` names the field,
  `msg` the rule. The core's own validation (`ConfigurationError`, `FixValidationError`) is
  answered in the same shape.
- 404: unknown pattern. 401/403: writes without the right to write (see dependencies.py).
- 503: the database is unreachable, or a mart the endpoint reads has not been built yet.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import psycopg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from failmap.alerts import PredictionUnavailable
from failmap.database import DatabaseUnreachable
from failmap.validation import InvalidFields

log = logging.getLogger("failmap.api")


class Unavailable(Exception):
    """The endpoint cannot answer now (503): database down or a mart missing."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class MartMissing(Unavailable):
    """A mart the endpoint reads does not exist (yet)."""

    def __init__(
        self, relation: str, hint: str = "run `failmap refresh` to build the marts"
    ) -> None:
        super().__init__(f"{relation} does not exist yet: {hint}")
        self.relation = relation


class NotFound(Exception):
    """The thing asked for does not exist (404)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def field_errors(location: str, errors: Mapping[str, str]) -> list[dict[str, object]]:
    """Core validation errors (field -> message) in FastAPI's 422 shape."""
    return [
        {"loc": [location, field], "msg": message, "type": "value_error"}
        for field, message in errors.items()
    ]


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn failures into the answers above."""

    @app.exception_handler(Unavailable)
    async def unavailable(_request: Request, error: Unavailable) -> JSONResponse:
        return JSONResponse({"detail": error.message}, status_code=503)

    @app.exception_handler(NotFound)
    async def not_found(_request: Request, error: NotFound) -> JSONResponse:
        return JSONResponse({"detail": error.message}, status_code=404)

    @app.exception_handler(DatabaseUnreachable)
    async def unreachable(_request: Request, error: DatabaseUnreachable) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=503)

    @app.exception_handler(psycopg.OperationalError)
    async def operational(_request: Request, error: psycopg.OperationalError) -> JSONResponse:
        log.warning("database error: %s", error)
        return JSONResponse(
            {"detail": "the database stopped answering; try again shortly"}, status_code=503
        )

    @app.exception_handler(psycopg.errors.UndefinedTable)
    async def undefined_table(_request: Request, error: psycopg.Error) -> JSONResponse:
        return JSONResponse(
            {"detail": f"a mart is missing ({_first_line(error)}): run `failmap refresh`"},
            status_code=503,
        )

    # Marts built by an older failmap lack a column this one reads, until the next refresh.
    @app.exception_handler(psycopg.errors.UndefinedColumn)
    async def undefined_column(_request: Request, error: psycopg.Error) -> JSONResponse:
        return JSONResponse(
            {
                "detail": f"a mart was built by an older version of failmap "
                f"({_first_line(error)}): run `failmap refresh`"
            },
            status_code=503,
        )

    @app.exception_handler(PredictionUnavailable)
    async def prediction_unavailable(
        _request: Request, error: PredictionUnavailable
    ) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=503)

    # ConfigurationError and FixValidationError: the core's own checks of a request body.
    @app.exception_handler(InvalidFields)
    async def invalid_fields(_request: Request, error: InvalidFields) -> JSONResponse:
        return JSONResponse({"detail": field_errors("body", error.errors)}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return JSONResponse(
            {"detail": f"internal error ({type(error).__name__}); see the API's log"},
            status_code=500,
        )


def _first_line(error: psycopg.Error) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
