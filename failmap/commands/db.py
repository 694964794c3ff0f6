"""`failmap db`: where the database is, start/stop the embedded server, migrations."""

from __future__ import annotations

import sys

import click

from failmap import database
from failmap.cli_support import database_url_or_exit, settings_or_exit


@click.group()
def db() -> None:
    """The database: where it is, start/stop the embedded server, migrations."""


@db.command("url")
def db_url() -> None:
    """Print the database URL (password hidden) failmap uses."""
    settings = settings_or_exit()
    click.echo(database.redact(database_url_or_exit(settings, start=False)))


@db.command("start")
def db_start() -> None:
    """Start the embedded PostgreSQL (no-op when running or when FAILMAP_DATABASE_URL is set)."""
    settings = settings_or_exit()
    if not settings.uses_embedded_database:
        click.echo("FAILMAP_DATABASE_URL is set: failmap uses that server, nothing to start.")
        return
    url = database_url_or_exit(settings)
    click.echo(f"embedded PostgreSQL running: {url}")


@db.command("stop")
def db_stop() -> None:
    """Stop the embedded PostgreSQL cleanly."""
    settings = settings_or_exit()
    if not settings.uses_embedded_database:
        click.echo("FAILMAP_DATABASE_URL is set: failmap does not manage that server.")
        return
    stopped = database.stop_embedded(settings.pgdata)
    click.echo("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")


@db.command("status")
def db_status() -> None:
    """Say whether the database is reachable, and where (exit 1 when it is not)."""
    settings = settings_or_exit()
    if settings.uses_embedded_database:
        url = database.embedded_status(settings.pgdata)
        if url is None:
            click.echo(f"embedded PostgreSQL in {settings.pgdata}: not running")
            sys.exit(1)
        click.echo(f"embedded PostgreSQL in {settings.pgdata}: running at {url}")
        return
    url = database_url_or_exit(settings, start=False)
    version = database.server_version(url)
    click.echo(f"PostgreSQL {version} reachable at {database.redact(url)}")


@db.command("migrate")
def db_migrate() -> None:
    """Apply pending migrations (failmap up and refresh do this automatically)."""
    from failmap.migrations import apply_migrations, current_revision

    url = database_url_or_exit(settings_or_exit())
    applied = apply_migrations(url)
    revision = current_revision(url)
    click.echo(f"migrated to {revision}" if applied else f"already at {revision}")
