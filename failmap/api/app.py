"""`create_app()`: the FastAPI application (routes in routes/, schemas in models.py)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi_offline import FastAPIOffline

from failmap.api.dependencies import ApiConfig
from failmap.api.errors import install_error_handlers
from failmap.api.limits import MAX_BODY_BYTES, BodySizeLimit
from failmap.api.pool import POOL_SIZE, POOL_TIMEOUT, DatabasePool
from failmap.api.routes import ROUTERS
from failmap.roles import api_database_url

TOKEN_VARIABLE = "FAILMAP_API_TOKEN"
_FROM_ENVIRONMENT = object()


def create_app(
    database_url: str | None = None,
    token: str | object | None = _FROM_ENVIRONMENT,
    *,
    pool_size: int = POOL_SIZE,
    pool_timeout: float = POOL_TIMEOUT,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
    """The API on `database_url` (default: FAILMAP_DATABASE_URL or the running embedded server).

    It connects as its own least-privileged role, `failmap_api` (or FAILMAP_API_DATABASE_URL,
    see failmap.roles), never as the login it was given. Request bodies over `max_body_bytes`
    are refused with 413 before they are read in full.

    `token` defaults to $FAILMAP_API_TOKEN; None or empty means no token: writes are accepted
    from loopback clients only. Requests share a pool of at most `pool_size` connections,
    opened when the app starts (its lifespan) without waiting for the database, closed when it
    stops; a request waits up to `pool_timeout` seconds for a free one (503 after that).
    """
    if token is _FROM_ENVIRONMENT:
        token = os.environ.get(TOKEN_VARIABLE) or None
    if database_url is None:
        database_url = _configured_database_url()
    if database_url:
        database_url = api_database_url(database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not database_url:
            yield  # every request answers 503 "no database configured"
            return
        pool = DatabasePool(database_url, max_size=pool_size, timeout=pool_timeout)
        pool.open()
        app.state.database = pool
        try:
            yield
        finally:
            del app.state.database
            await anyio.to_thread.run_sync(pool.close)  # waits for its workers: not on the loop

    # FastAPIOffline serves Swagger UI and ReDoc from files in the installed package: studio
    # networks often have no internet, and FastAPI's default pages load them from a CDN.
    app = FastAPIOffline(
        lifespan=lifespan,
        title="failmap API",
        summary="Failure patterns, heatmaps, trends, configuration checks, fixes, error analytics.",
        description=(
            "Read the marts of failmap and record fixes. Writes (POST) need "
            "`Authorization: Bearer <FAILMAP_API_TOKEN>` when a token is configured; without one "
            "the API listens on loopback only. Pattern ids are the stable `pattern_key`, "
            "URL-encoded (e.g. `lora%3Dl07%7Ccharacter%3Dc12`)."
        ),
        version="1",
    )
    app.state.config = ApiConfig(database_url=database_url, token=token or None)  # type: ignore[arg-type]
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        """A person opening the API's address lands on its documentation."""
        return RedirectResponse("/docs")

    return app


def _configured_database_url() -> str | None:
    """The URL from the settings (FAILMAP_DATABASE_URL, or the running embedded database)."""
    from failmap.database import resolve_database_url
    from failmap.settings import load_settings

    try:
        return resolve_database_url(load_settings(), start=False)
    except Exception:
        return None
