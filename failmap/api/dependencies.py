"""What every request gets: a database connection (from the app's pool), and for writes the
right to write.

Writes (`POST`: fixes, checks, which log to app.alert_log) need `Authorization: Bearer <token>`
when `FAILMAP_API_TOKEN` is set (401 otherwise). With no token configured the API is meant to
listen on loopback only (`failmap api` refuses anything else) and writes are accepted from
loopback clients only (403 otherwise), in case the app is served some other way.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

import psycopg
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from failmap import database
from failmap.api.errors import MartMissing, Unavailable
from failmap.api.pool import DatabasePool
from failmap.read.core import missing_functions, missing_relations

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(frozen=True)
class ApiConfig:
    """What the app was created with."""

    database_url: str | None
    token: str | None


def api_config(request: Request) -> ApiConfig:
    return request.app.state.config


def connection(
    request: Request, config: Annotated[ApiConfig, Depends(api_config)]
) -> Iterator[psycopg.Connection]:
    """A connection for one request (autocommit: core functions open their own transactions),
    borrowed from the app's pool (pool.py) and given back when the request is done.

    Without the pool (the app's lifespan did not run: an ASGI server started with lifespan off,
    or a TestClient used outside `with`) each request opens and closes its own connection.
    """
    if not config.database_url:
        raise Unavailable("no database configured: set FAILMAP_DATABASE_URL or run `failmap up`")
    pool: DatabasePool | None = getattr(request.app.state, "database", None)
    if pool is None:
        with database.connect(config.database_url, autocommit=True) as conn:
            yield conn
        return
    with pool.connection() as conn:
        yield conn


Connection = Annotated[psycopg.Connection, Depends(connection)]

_bearer = HTTPBearer(auto_error=False, description="FAILMAP_API_TOKEN, needed for writes.")


def require_writer(
    request: Request,
    config: Annotated[ApiConfig, Depends(api_config)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Allow the write, or answer 401 (token configured, missing or wrong) / 403 (not loopback)."""
    if config.token:
        given = credentials.credentials if credentials is not None else ""
        if not hmac.compare_digest(given.encode(), config.token.encode()):
            raise HTTPException(
                status_code=401,
                detail="writes need `Authorization: Bearer <FAILMAP_API_TOKEN>`",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return
    host = request.client.host if request.client is not None else ""
    if host not in LOOPBACK_HOSTS:
        raise HTTPException(
            status_code=403,
            detail="no FAILMAP_API_TOKEN is configured: writes are accepted from loopback only",
        )


Writer = Depends(require_writer)


def require_relations(conn: psycopg.Connection, *relations: str, hint: str | None = None) -> None:
    """Raise MartMissing (503) for the first of `relations` (schema.table) that does not exist."""
    missing = missing_relations(conn, relations)
    if missing:
        if hint is None:
            raise MartMissing(missing[0])
        raise MartMissing(missing[0], hint)


def require_function(conn: psycopg.Connection, signature: str, name: str) -> None:
    """Raise MartMissing (503) naming `name` when the function `signature` does not exist."""
    if missing_functions(conn, (signature,)):
        raise MartMissing(name)
