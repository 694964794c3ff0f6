"""failmap's Dagster run launcher: runs start in the warm run worker when it is up.

Configured in the `dagster.yaml` failmap writes (`failmap.dagster_home`). The daemon calls
`launch_run` for every dequeued run: the launcher asks the worker that `failmap up` started
(`failmap.runtime.run_worker`) to fork the run from its already-imported code location. When no
worker answers (Dagster started by hand, the worker still importing) or the worker's code is
stale, the run starts as Dagster's default launcher starts it: in a new process the code
server spawns. Either way the run executes the same job the same way; only its start-up differs.

Imported by the webserver and the daemon: nothing heavy at module level.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
from dagster._grpc.types import ExecuteRunArgs  # private: see docs/architecture.md

from failmap.runtime import run_worker

if TYPE_CHECKING:
    from dagster._core.launcher import LaunchRunContext

# The pid of the forked run worker process, for termination from the webserver's launcher.
WORKER_PID_TAG = "failmap/run_worker_pid"


class WarmRunLauncher(dg.DefaultRunLauncher):
    """Launches runs by forking them in failmap's warm run worker, else like DefaultRunLauncher."""

    def launch_run(self, context: LaunchRunContext) -> None:
        run = context.dagster_run
        instance = self._instance
        args = ExecuteRunArgs(
            job_origin=run.job_code_origin,  # type: ignore[arg-type]
            run_id=run.run_id,
            instance_ref=instance.get_ref(),
        )
        path = run_worker.socket_path(Path(instance.root_directory))
        try:
            answer = run_worker.request(path, {"execute_run": dg.serialize_value(args)})
        except (ConnectionError, FileNotFoundError):
            answer = {"unavailable": True}  # nothing was sent: nothing was started
        if isinstance(answer, dict) and isinstance(answer.get("pid"), int):
            instance.add_run_tags(run.run_id, {WORKER_PID_TAG: str(answer["pid"])})
            return
        if not (isinstance(answer, dict) and (answer.get("stale") or answer.get("unavailable"))):
            raise RuntimeError(f"failmap's run worker at {path} gave no usable answer: {answer!r}")
        reason = "its code changed since it started" if answer.get("stale") else "it is not up"
        instance.report_engine_event(
            f"Starting the run in a new process: failmap's warm run worker is unused ({reason}).",
            run,
            cls=self.__class__,
        )
        super().launch_run(context)

    def terminate(self, run_id: str) -> bool:
        run = self._instance.get_run_by_id(run_id)
        if run is None or run.is_finished or WORKER_PID_TAG not in run.tags:
            return super().terminate(run_id)
        self._instance.report_run_canceling(run)
        try:
            # The run worker turns SIGINT into Dagster's interruption: steps stop, run canceled.
            os.kill(int(run.tags[WORKER_PID_TAG]), signal.SIGINT)
        except ProcessLookupError:
            self._instance.report_engine_event(
                "The run worker process had already exited.", run, cls=self.__class__
            )
            return False
        return True
