"""Helpers every CLI command uses: settings and database resolution with clean errors."""

from __future__ import annotations

import time
from typing import Protocol

import click

from failmap import database
from failmap.settings import Settings, SettingsError, load_settings


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        raise click.UsageError(str(error)) from None


def database_url_or_exit(settings: Settings, *, start: bool = True) -> str:
    """Resolve and verify the database, turning failures into a clean CLI error."""
    try:
        url = database.resolve_database_url(settings, start=start)
        with database.connect(url):
            pass
    except database.DatabaseUnreachable as error:
        raise click.ClickException(str(error)) from None
    return url


class _Server(Protocol):
    def shutdown(self) -> None: ...


def serve_until_interrupted(server: _Server) -> None:
    """Keep the command alive while `server` serves from its own thread; Ctrl-C stops both."""
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
