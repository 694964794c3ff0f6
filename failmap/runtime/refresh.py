"""Headless refresh: the same asset graph the sensor runs, executed in this process.

Used by `failmap refresh`, `failmap up` and the end-to-end tests. Progress goes to the console
as each file lands and each dbt node finishes; the summary counts what an operator checks.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from failmap.runtime.code_location import load_definitions
from failmap.runtime.dbt_client import SOCKET_VARIABLE
from failmap.runtime.dbt_failures import dbt_failures

# A run with this tag set to "true" rebuilds incremental dbt models from scratch.
FULL_REFRESH_TAG = "failmap/full_refresh"


@dataclass
class RefreshSummary:
    """What one refresh did; `ok` is False when any step, model, test or check failed.

    A check that failed with severity WARN (a warning rule, such as a file whose rows were mostly
    quarantined) is a warning: listed, counted, never a failure. A rejected file is a failure:
    nothing of it loaded and its sender must deliver it again.
    """

    files_loaded: int = 0
    files_rejected: int = 0
    files_skipped: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    assets_materialized: int = 0
    checks_passed: int = 0
    checks_failed: int = 0
    checks_warned: int = 0
    failed_steps: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    # The dbt models and tests a failed dbt step names, with their reasons.
    failed_nodes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rejections: list[str] = field(default_factory=list)
    run_id: str = ""

    @property
    def ok(self) -> bool:
        return not (self.failed_steps or self.failed_checks or self.files_rejected)

    def lines(self) -> list[str]:
        lines = [
            f"files: {self.files_loaded} loaded, {self.files_rejected} rejected, "
            f"{self.files_skipped} already loaded",
            f"rows: {self.rows_loaded:,} loaded, {self.rows_quarantined:,} quarantined",
            f"models: {self.assets_materialized} assets materialized",
            f"checks: {self.checks_passed} passed, {self.checks_warned} warned, "
            f"{self.checks_failed} failed",
        ]
        lines += [f"  rejected file {text}" for text in self.rejections]
        lines += [f"  warning {text}" for text in self.warnings]
        lines += [f"  failed check {name}" for name in self.failed_checks]
        lines += [f"  failed step {name}" for name in self.failed_steps]
        lines += [f"    {text}" for text in self.failed_nodes]
        return lines


def _materialization(event: dg.DagsterEvent) -> dg.AssetMaterialization | None:
    return getattr(event.event_specific_data, "materialization", None)


def _int_metadata(event: dg.DagsterEvent, key: str) -> int:
    materialization = _materialization(event)
    if materialization is None or key not in materialization.metadata:
        return 0
    return int(materialization.metadata[key].value)  # type: ignore[arg-type]


def summarize(result: dg.ExecuteInProcessResult) -> RefreshSummary:
    summary = RefreshSummary(run_id=result.run_id)
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            summary.assets_materialized += 1
            summary.files_loaded += _int_metadata(event, "files_loaded")
            summary.files_rejected += _int_metadata(event, "files_rejected")
            summary.files_skipped += _int_metadata(event, "files_skipped")
            summary.rows_loaded += _int_metadata(event, "rows_loaded")
            summary.rows_quarantined += _int_metadata(event, "rows_quarantined")
            materialization = _materialization(event)
            if materialization and "rejections" in materialization.metadata:
                text = str(materialization.metadata["rejections"].value)
                summary.rejections += [
                    line.removeprefix("- ") for line in text.splitlines() if line != "none"
                ]
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"  # type: ignore[union-attr]
            if evaluation.passed:  # type: ignore[union-attr]
                summary.checks_passed += 1
            elif evaluation.severity == dg.AssetCheckSeverity.WARN:  # type: ignore[union-attr]
                summary.checks_warned += 1
                summary.warnings.append(f"{name}: {evaluation.description or 'failed'}")  # type: ignore[union-attr]
            else:
                summary.checks_failed += 1
                summary.failed_checks.append(name)
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            summary.failed_steps.append(event.step_key or "?")
            summary.failed_nodes += dbt_failures(_error_text(event))
    return summary


def _error_text(event: dg.DagsterEvent) -> str:
    """A failed step's error message and those of its causes."""
    texts = []
    error = getattr(event.event_specific_data, "error", None)
    while error is not None:
        texts.append(error.message or "")
        error = error.cause
    return "\n".join(texts)


@contextlib.contextmanager
def dbt_fork_server() -> Iterator[None]:
    """A dbt-only worker for this process's run (`python -m failmap.runtime.run_worker --dbt-only`).

    The run's dbt step starts `failmap-dbt`, which forks dbt from the worker named in
    FAILMAP_RUN_WORKER_SOCKET instead of importing dbt (~3 s) in a new process. The worker
    imports dbt and parses the project (`failmap.runtime.parse_ahead`) while this process builds
    the run, ingests and checks; if it is not listening yet when dbt starts, `failmap-dbt` runs
    dbt the usual way. Inside a run forked from the warm
    run worker (the variable is set already) there is nothing to do.
    """
    if os.environ.get(SOCKET_VARIABLE):
        yield
        return
    directory = Path(tempfile.mkdtemp(prefix="failmap-dbt-"))
    path = directory / "dbt.sock"
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "failmap.runtime.run_worker", "--dbt-only", str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,  # its "ready" lines; dbt's output goes to the caller
        )
    except OSError:
        shutil.rmtree(directory, ignore_errors=True)
        yield
        return
    os.environ[SOCKET_VARIABLE] = str(path)
    try:
        yield
    finally:
        os.environ.pop(SOCKET_VARIABLE, None)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)


def run_refresh(
    *, full_refresh: bool = False, echo: Callable[[str], None] = print
) -> RefreshSummary:
    """Materialize every asset once, in-process, recorded in the Dagster instance.

    Two helper processes import in parallel with this one: Great Expectations' (6-13 s), started
    first, while this process builds the definitions and the run and ingests the files (the
    checks then hand it their suites, `failmap.quality.worker`); and dbt's (~3 s), started once
    the definitions are built (the dbt step forks dbt from it, `dbt_fork_server`). Both are
    stopped when the run ends.
    """
    from failmap.quality import worker

    with contextlib.suppress(OSError):  # no helper: the suites run in this process
        worker.start_worker()
    try:
        job = load_definitions().resolve_job_def("refresh")
        tags = {FULL_REFRESH_TAG: "true"} if full_refresh else {}
        # Started after the definitions, whose build it would slow on 2 cores: the run's set-up,
        # ingest and raw checks still leave it the ~3 s its import takes.
        with dbt_fork_server(), dg.DagsterInstance.get() as instance:
            result = job.execute_in_process(
                instance=instance,
                tags=tags,
                raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
            )
    finally:
        worker.stop_worker()
    return summarize(result)
