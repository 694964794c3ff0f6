"""Prepare a process to run the pipeline, and run a refresh with progress and a summary."""

from __future__ import annotations

import time
from collections.abc import Callable

from failmap import database
from failmap.dagster_home import ensure_dagster_home
from failmap.settings import Settings


def prepare_environment(settings: Settings, url: str, echo: Callable[[str], None] = print) -> None:
    """Everything a refresh or `dagster dev` needs before definitions load.

    Publishes the connection to child processes (dbt), points DAGSTER_HOME under FAILMAP_HOME,
    applies migrations and parses the dbt project so `target/manifest.json` exists and is
    current (dagster-dbt reads it at import).
    """
    from failmap.migrations import apply_migrations

    database.export_connection_env(url)
    ensure_dagster_home(settings)
    if apply_migrations(url):
        echo("applied database migrations")
    from orchestration.defs.transform.project import prepare_manifest

    prepare_manifest()


def refresh_with_progress(*, full_refresh: bool = False, echo: Callable[[str], None] = print):
    """Run the refresh job in-process and print its summary; returns the RefreshSummary."""
    from orchestration.refresh import run_refresh

    started = time.perf_counter()
    echo("refresh: ingesting inbox files, then dbt build and checks ...")
    summary = run_refresh(full_refresh=full_refresh)
    echo(
        f"refresh {'finished' if summary.ok else 'FAILED'} in {time.perf_counter() - started:.0f} s"
    )
    for line in summary.lines():
        echo(f"  {line}")
    return summary
