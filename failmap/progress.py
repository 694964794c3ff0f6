"""A short progress display for a refresh, with the full dbt and Dagster log kept in a file.

A refresh writes hundreds of lines (every dbt node, every check, stack traces of expected
failures). A person at a terminal needs: which step is running, how far along it is, how long
it has taken, and at the end what failed and where the details are. So while a refresh runs,
file descriptors 1 and 2 point at `$FAILMAP_HOME/logs/refresh-<time>.log` (that catches dbt,
Dagster, Great Expectations and warnings alike, from Python and from child processes), and a
`rich` display on the real terminal shows the steps, counts and elapsed time. The display
reads the run's events from the Dagster instance, as the Dagster UI does, so it needs nothing
from the job itself.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

POLL_SECONDS = 1.0


def refresh_log_path(log_dir: Path, now: datetime | None = None) -> Path:
    """Where one refresh's full log goes: a new file per refresh, named by its start time."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return log_dir / f"refresh-{stamp}.log"


@contextlib.contextmanager
def output_to_file(path: Path) -> Iterator[TextIO]:
    """Send everything written to stdout and stderr to `path`; yield the real terminal.

    Redirects the file descriptors, not only `sys.stdout`, so output of child processes (dbt)
    and of loggers that captured `sys.stderr` at import lands in the file as well.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    terminal = os.fdopen(os.dup(1), "w", encoding="utf-8", errors="replace")
    with path.open("ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield terminal
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved_out, 1)
            os.dup2(saved_err, 2)
            os.close(saved_out)
            os.close(saved_err)
            terminal.close()


@dataclass
class RunProgress:
    """What the display shows, counted from the run's events."""

    assets_total: int | None = None
    assets_done: int = 0
    checks_passed: int = 0
    checks_warned: int = 0
    checks_failed: int = 0
    current_steps: list[str] = field(default_factory=list)
    finished: bool = False

    def describe(self) -> str:
        steps = "done" if self.finished else ", ".join(self.current_steps[-2:]) or "starting"
        return (
            f"{steps} · checks {self.checks_passed} passed"
            + (f", {self.checks_warned} warned" if self.checks_warned else "")
            + (f", {self.checks_failed} failed" if self.checks_failed else "")
        )


def _step_label(step_key: str) -> str:
    """A step key as a person reads it: `raw__quality_scores` -> `raw/quality_scores`."""
    return step_key.replace("__", "/")


class _EventWatcher(threading.Thread):
    """Polls the Dagster instance for the newest refresh run's events and counts them."""

    def __init__(self, started_after: float) -> None:
        super().__init__(daemon=True, name="failmap-progress")
        self.started_after = started_after
        self.progress = RunProgress()
        self.stop_event = threading.Event()

    def run(self) -> None:  # pragma: no cover - exercised through the CLI test
        import dagster as dg

        # The display is a nicety: if the instance cannot be read, the refresh goes on.
        with contextlib.suppress(Exception), dg.DagsterInstance.get() as instance:
            run_id: str | None = None
            cursor: str | None = None
            while True:
                stopping = self.stop_event.wait(POLL_SECONDS)
                if self.progress.assets_total is None:
                    self.progress.assets_total = _refresh_asset_count()
                run_id = run_id or self._newest_run(instance)
                if run_id is not None:
                    connection = instance.get_records_for_run(run_id, cursor=cursor)
                    cursor = connection.cursor
                    for record in connection.records:
                        self._count(record.event_log_entry.dagster_event)
                if stopping:
                    return

    def _newest_run(self, instance: object) -> str | None:
        import dagster as dg

        records = instance.get_run_records(  # type: ignore[attr-defined]
            filters=dg.RunsFilter(
                job_name="refresh",
                created_after=datetime.fromtimestamp(self.started_after, UTC),
            ),
            limit=1,
        )
        return records[0].dagster_run.run_id if records else None

    def _count(self, event: object) -> None:
        import dagster as dg

        if event is None:
            return
        kind = event.event_type  # type: ignore[attr-defined]
        step = _step_label(event.step_key or "")  # type: ignore[attr-defined]
        if kind == dg.DagsterEventType.STEP_START:
            self.progress.current_steps.append(step)
        elif kind in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            if step in self.progress.current_steps:
                self.progress.current_steps.remove(step)
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            self.progress.assets_done += 1
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data  # type: ignore[attr-defined]
            if evaluation.passed:
                self.progress.checks_passed += 1
            elif evaluation.severity == dg.AssetCheckSeverity.WARN:
                self.progress.checks_warned += 1  # as the refresh summary counts them
            else:
                self.progress.checks_failed += 1


def _create_instance_storage() -> None:
    """Open the Dagster instance once here, so its storage exists before two threads open it.

    On a new `DAGSTER_HOME` each opening creates the run storage's tables; the watcher's and the
    refresh's openings racing would fail the refresh with "table runs already exists".
    """
    import dagster as dg

    with dg.DagsterInstance.get():
        pass


def _refresh_asset_count() -> int | None:
    """How many assets the refresh job materializes, once the job's code has been imported."""
    from failmap.runtime.code_location import loaded_definitions

    definitions = loaded_definitions()
    if definitions is None:
        return None
    try:
        job = definitions.resolve_job_def("refresh")
        return len(job.asset_layer.selected_asset_keys)
    except Exception:  # the total is a nicety; counting goes on without it
        return None


@contextlib.contextmanager
def refresh_display(log_path: Path) -> Iterator[None]:
    """Show a one-line live progress display while the body runs a refresh.

    Everything the body prints goes to `log_path`. On a terminal the line updates in place;
    elsewhere (CI, a pipe) only its final state is printed, so the output stays short.
    """
    started = time.time()
    watcher = _EventWatcher(started_after=started - 1)
    with output_to_file(log_path) as terminal:
        console = Console(file=terminal, highlight=False)
        columns = (
            SpinnerColumn(),
            TextColumn("refresh"),
            BarColumn(bar_width=24),
            TextColumn("{task.completed:.0f}/{task.fields[total_text]} assets"),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=False) as display:
            task = display.add_task("starting", total=None, total_text="?")
            _create_instance_storage()
            watcher.start()

            def update() -> None:
                progress = watcher.progress
                total = progress.assets_total
                display.update(
                    task,
                    completed=progress.assets_done,
                    total=total,
                    total_text=str(total) if total else "?",
                    description=progress.describe(),
                )

            ticker_stop = threading.Event()

            def tick() -> None:
                while not ticker_stop.wait(0.5):
                    update()

            ticker = threading.Thread(target=tick, daemon=True, name="failmap-progress-ui")
            ticker.start()
            try:
                yield
            finally:
                # One last poll so the final line shows the finished counts.
                watcher.stop_event.set()
                watcher.join(timeout=10)
                ticker_stop.set()
                ticker.join(timeout=5)
                watcher.progress.finished = True
                display.columns = display.columns[1:]  # no spinner frame frozen on the last line
                update()
                if watcher.progress.assets_total is None:
                    display.update(task, total=max(watcher.progress.assets_done, 1))
