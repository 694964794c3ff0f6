"""Run suites in a helper process that imports Great Expectations while the run starts up.

Importing `great_expectations` takes 6-13 s, and a Dagster run worker would pay it at its first
check, in the path from a file landing to refreshed marts. A process started to execute a run
instead starts this helper when its resources are set up (`FailmapResource`, before the first
step), and `failmap refresh` (`failmap.runtime.refresh`) before it builds the run: the helper's
import runs on another core, in parallel with the run's set-up and first steps, and the checks
hand it their suites over a pipe (one JSON line each way). Anywhere else (tests, runs forked
from the warm run worker, which imported GX already) suites run in-process, and so they do when
the helper is gone. The run's one Data Docs update (`update_data_docs`, after the checks) goes
the same way, since it needs GX as well.

    python -m failmap.quality.worker    # reads [url, suite] lines, writes SuiteOutcome lines
                                        # ({"data_docs": url} -> a DataDocsUpdate line)
"""

from __future__ import annotations

import atexit
import json
import multiprocessing
import os
import subprocess
import sys
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from failmap.quality.validation import (
    DataDocsUpdate,
    ExpectationOutcome,
    SuiteOutcome,
    run_suite,
    update_data_docs,
)


class WorkerUnavailable(RuntimeError):
    """The helper process has exited; run the suite in-process instead."""


def outcome_to_json(outcome: SuiteOutcome) -> dict[str, Any]:
    document = asdict(outcome)
    document["data_docs"] = str(outcome.data_docs) if outcome.data_docs else None
    return document


def outcome_from_json(document: dict[str, Any]) -> SuiteOutcome:
    return SuiteOutcome(
        suite=document["suite"],
        expectations=[ExpectationOutcome(**item) for item in document["expectations"]],
        table_missing=document["table_missing"],
        data_docs=Path(document["data_docs"]) if document["data_docs"] else None,
    )


class SuiteWorker:
    """The helper process, started now; `run_suite` blocks until its answer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "failmap.quality.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        atexit.register(self.close)

    def run_suite(self, url: str, suite_name: str) -> SuiteOutcome:
        return outcome_from_json(self._ask([url, suite_name], suite_name))

    def update_data_docs(self, url: str) -> DataDocsUpdate:
        document = self._ask({"data_docs": url}, "data docs")
        return DataDocsUpdate(
            index=Path(document["index"]),
            validation_pages=document["validation_pages"],
            suite_pages=document["suite_pages"],
        )

    def _ask(self, request: Any, what: str) -> dict[str, Any]:
        """Send one request line, wait for its answer line."""
        with self._lock:
            if self._process.poll() is not None:
                raise WorkerUnavailable(f"exited with {self._process.returncode}")
            assert self._process.stdin is not None and self._process.stdout is not None
            try:
                self._process.stdin.write(json.dumps(request) + "\n")
                self._process.stdin.flush()
            except OSError as error:
                raise WorkerUnavailable(str(error)) from error
            line = self._process.stdout.readline()
        if not line:
            raise WorkerUnavailable("no answer")
        document: dict[str, Any] = json.loads(line)
        if "error" in document:
            raise RuntimeError(f"{what}: {document['error']}")
        return document

    def alive(self) -> bool:
        return self._process.poll() is None

    def close(self) -> None:
        """End the helper's input: it exits on its own, reaped by a thread.

        Not waited for: its interpreter's teardown (GX, SQLAlchemy) held the end of every
        refresh for 0.5-0.8 s. Anything it wrote was written before it answered.
        """
        if self._process.poll() is None:
            if self._process.stdin is not None and not self._process.stdin.closed:
                self._process.stdin.close()  # the helper exits at end of input
            threading.Thread(target=self._reap, daemon=True).start()

    def _reap(self) -> None:
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


_worker: SuiteWorker | None = None


def in_run_process() -> bool:
    """Whether this process was started to execute a run (not the webserver, daemon or server).

    `dagster dev`'s code server starts each run in a multiprocessing child; a run launched from
    the command line is `dagster api execute_run`.
    """
    return multiprocessing.parent_process() is not None or sys.argv[1:3] == ["api", "execute_run"]


def start_worker() -> None:
    """Start the helper (once per process) so its import overlaps what this process does."""
    global _worker
    if _worker is None:
        _worker = SuiteWorker()


def stop_worker() -> None:
    """Stop the helper started in this process, if any (it exits at the end of its input)."""
    global _worker
    if _worker is not None:
        _worker.close()
        _worker = None


def helper_running() -> bool:
    """Whether suites in this process go to a live helper."""
    return _worker is not None and _worker.alive()


def run_suite_prepared(url: str, suite_name: str) -> SuiteOutcome:
    """Run a suite in the helper when one was started, else in this process."""
    if _worker is not None:
        try:
            return _worker.run_suite(url, suite_name)
        except WorkerUnavailable:
            pass
    return run_suite(url, suite_name)


def update_data_docs_prepared(url: str) -> DataDocsUpdate:
    """Update the Data Docs in the helper when one was started, else in this process."""
    if _worker is not None:
        try:
            return _worker.update_data_docs(url)
        except WorkerUnavailable:
            pass
    return update_data_docs(url)


def answer(request: Any) -> dict[str, Any]:
    """The helper's answer to one request: a suite's outcome, or what a docs update rendered."""
    if isinstance(request, dict):
        update = update_data_docs(request["data_docs"])
        return {**asdict(update), "index": str(update.index)}
    url, suite_name = request
    return outcome_to_json(run_suite(url, suite_name))


def main() -> None:
    """The helper: import GX first, then answer one request per input line."""
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever else gets printed goes to stderr, not into the answers
    import great_expectations  # noqa: F401  (the reason this process exists: import it now)

    for line in sys.stdin:
        try:
            document = answer(json.loads(line))
        except Exception as error:
            document = {"error": f"{type(error).__name__}: {error}"}
        answers.write(json.dumps(document, default=str) + "\n")


if __name__ == "__main__":
    main()
