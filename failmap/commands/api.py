"""`failmap api`: serve the HTTP API (OpenAPI at /openapi.json, docs at /docs)."""

from __future__ import annotations

import ipaddress
import os

import click

from failmap import database
from failmap.cli_support import settings_or_exit

TOKEN_VARIABLE = "FAILMAP_API_TOKEN"


def is_loopback(host: str) -> bool:
    """Whether `host` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind_host(host: str, token: str | None) -> str:
    """The host to listen on; without a token only a loopback address is allowed."""
    if not token and not is_loopback(host):
        raise click.UsageError(
            f"--host {host} would expose the API to other machines, and no {TOKEN_VARIABLE} is "
            f"set: set {TOKEN_VARIABLE} (writes then need `Authorization: Bearer <token>`), or "
            "keep the default --host 127.0.0.1"
        )
    return host


@click.command("api")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
def api(host: str, port: int) -> None:
    """Serve the HTTP API for other tools: patterns, heatmap, trends, check, fixes, errors.

    Starts even when an external database (FAILMAP_DATABASE_URL) is down: requests answer 503
    until it is up. Connects as the role failmap_api, never as the configured login.
    """
    import uvicorn

    from failmap.api import create_app

    token = os.environ.get(TOKEN_VARIABLE) or None
    host = bind_host(host, token)
    settings = settings_or_exit()
    try:
        # An external URL is taken as it is (not dialled); the embedded server is started.
        url = database.resolve_database_url(settings)
    except database.DatabaseUnreachable as error:
        raise click.ClickException(str(error)) from None
    try:
        with database.connect(url):
            pass
    except database.DatabaseUnreachable as error:
        click.echo(f"warning: {error} Requests answer 503 until it is up.", err=True)
    if token:
        click.echo(f"{TOKEN_VARIABLE} is set: writes (POST) need `Authorization: Bearer <token>`")
    else:
        click.echo(
            f"no {TOKEN_VARIABLE} set: listening on loopback ({host}) only; writes are accepted "
            "from this machine only"
        )
    click.echo(f"failmap API on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    uvicorn.run(create_app(database_url=url, token=token), host=host, port=port, log_level="info")
