"""Prepare a process to run the pipeline, and run a refresh with progress and a summary."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

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
    from failmap.runtime.dbt_manifest import prepare_manifest

    prepare_manifest()


def refresh_with_progress(
    *,
    full_refresh: bool = False,
    echo: Callable[[str], None] = print,
    log_dir: Path | None = None,
):
    """Run the refresh job in-process and print its summary; returns the RefreshSummary.

    With `log_dir`, the run's full output goes to a file there and the terminal shows a short
    progress display instead (failmap/progress.py); the file's path is the last line printed.
    """
    from failmap.progress import refresh_display, refresh_log_path
    from failmap.runtime.refresh import run_refresh

    started = time.perf_counter()
    echo("refresh: ingesting inbox files, then dbt build and checks ...")
    log_path = refresh_log_path(log_dir) if log_dir is not None else None
    with refresh_display(log_path) if log_path else contextlib.nullcontext():
        summary = run_refresh(full_refresh=full_refresh)
    echo(
        f"refresh {'finished' if summary.ok else 'FAILED'} in {time.perf_counter() - started:.0f} s"
    )
    for line in summary.lines():
        echo(f"  {line}")
    if log_path is not None:
        if not summary.ok:
            echo("  why a check failed: the dashboard's Data Quality page; stack traces: the log")
        echo(f"full log (dbt, Dagster, checks): {log_path}")
    return summary
