"""The warm run worker forks runs that execute like any other, and re-imports changed code.

A real worker process (`python -m failmap.runtime.run_worker`) with the real code location, a real
Dagster instance and a fresh database; runs go through failmap's run launcher as the daemon's do.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster._core.errors import DagsterInvariantViolationError
from dagster._core.launcher import LaunchRunContext

from failmap import database
from failmap.dagster_home import ensure_dagster_home
from failmap.runtime import run_worker
from failmap.runtime.dbt_client import SOCKET_VARIABLE
from failmap.runtime.run_launcher import WORKER_PID_TAG, WarmRunLauncher
from failmap.settings import load_settings
from orchestration.definitions import defs
from tests.conftest import REPO_ROOT

READY_TIMEOUT = 180
RUN_TIMEOUT = 180
INGEST_KEY = dg.AssetKey(["raw", "quality_scores"])


def _start_worker(
    path: Path, watch: Path | None = None, preexec_fn: Callable[[], object] | None = None
) -> subprocess.Popen[bytes]:
    """The worker, its output in `worker.log` beside its socket."""
    args = [sys.executable, "-m", "failmap.runtime.run_worker", str(path)]
    log = (path.parent / "worker.log").open("ab")
    return subprocess.Popen(
        args + ([str(watch)] if watch else []),
        cwd=REPO_ROOT,
        stdout=log,
        stderr=log,
        preexec_fn=preexec_fn,
    )


def _wait_ready(path: Path, process: subprocess.Popen[bytes]) -> dict:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, "the run worker exited"
        try:
            return run_worker.request(path, {"ping": True}, timeout=2)
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"no run worker at {path} after {READY_TIMEOUT} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()  # fail, but leave no worker behind
        raise


@pytest.fixture
def instance(failmap_env: dict[str, str]) -> Iterator[dg.DagsterInstance]:
    """The Dagster instance in DAGSTER_HOME, with the dagster.yaml `failmap up` writes."""
    ensure_dagster_home(load_settings())
    with dg.DagsterInstance.get() as instance:
        yield instance


@pytest.fixture
def launcher(instance: dg.DagsterInstance) -> WarmRunLauncher:
    assert isinstance(instance.run_launcher, WarmRunLauncher)
    return instance.run_launcher


def _ingest_run(instance: dg.DagsterInstance) -> dg.DagsterRun:
    """A stored run of the refresh job's quality_scores ingest (and its GX check)."""
    recon_repo = ReconstructableRepository.for_module(
        "orchestration.definitions", "defs", str(REPO_ROOT)
    )
    origin = recon_repo.get_reconstructable_job("refresh").get_python_origin()
    job = defs().resolve_job_def("refresh").get_subset(asset_selection={INGEST_KEY})
    return instance.create_run_for_job(
        job_def=job, asset_selection=frozenset({INGEST_KEY}), job_code_origin=origin
    )


def _wait_finished(instance: dg.DagsterInstance, run_id: str) -> dg.DagsterRun:
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        run = instance.get_run_by_id(run_id)
        assert run is not None
        if run.is_finished:
            return run
        time.sleep(0.5)
    raise TimeoutError(f"run {run_id} not finished after {RUN_TIMEOUT} s")


def _messages(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    return [
        entry.dagster_event.message or "" if entry.dagster_event else entry.user_message
        for entry in instance.all_logs(run_id)
    ]


def test_a_launched_run_forks_from_the_worker_and_succeeds(
    instance: dg.DagsterInstance, launcher: WarmRunLauncher
) -> None:
    path = run_worker.socket_path(Path(instance.root_directory))
    worker = _start_worker(path)
    try:
        worker_pid = _wait_ready(path, worker)["pid"]
        run = _ingest_run(instance)
        launcher.launch_run(LaunchRunContext(dagster_run=run, workspace=None))
        finished = _wait_finished(instance, run.run_id)
        assert finished.status == dg.DagsterRunStatus.SUCCESS, _messages(instance, run.run_id)
        child_pid = int(finished.tags[WORKER_PID_TAG])
        assert child_pid != worker_pid
        assert f"Started process for run (pid: {child_pid})." in _messages(instance, run.run_id)
        checks = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(INGEST_KEY, "great_expectations")]
        )
        assert checks, "the GX check did not run in the forked run"
        assert worker.poll() is None  # the worker outlives its runs
    finally:
        _stop(worker)


def test_without_a_worker_the_run_starts_the_default_way(
    instance: dg.DagsterInstance, launcher: WarmRunLauncher
) -> None:
    run = _ingest_run(instance)
    # The default launcher then needs the workspace's code server, which this test has not.
    with pytest.raises(DagsterInvariantViolationError, match="workspace"):
        launcher.launch_run(LaunchRunContext(dagster_run=run, workspace=None))
    assert any(
        "warm run worker is unused (it is not up)" in m for m in _messages(instance, run.run_id)
    )


def test_a_changed_source_file_makes_the_worker_reimport(
    instance: dg.DagsterInstance, launcher: WarmRunLauncher, tmp_path: Path
) -> None:
    watched = tmp_path / "checkout"
    source = watched / "orchestration" / "module.py"
    source.parent.mkdir(parents=True)
    source.write_text("")
    path = run_worker.socket_path(Path(instance.root_directory))
    worker = _start_worker(path, watch=watched)
    try:
        worker_pid = _wait_ready(path, worker)["pid"]
        later = time.time() + 5
        os.utime(source, (later, later))
        run = _ingest_run(instance)
        with pytest.raises(DagsterInvariantViolationError, match="workspace"):
            launcher.launch_run(LaunchRunContext(dagster_run=run, workspace=None))
        assert any("its code changed" in m for m in _messages(instance, run.run_id))
        assert _wait_ready(path, worker)["pid"] == worker_pid  # the same process, re-executed
    finally:
        _stop(worker)


def test_the_fingerprint_follows_python_sources_and_the_dbt_project(tmp_path: Path) -> None:
    files = [
        tmp_path / "failmap" / "core.py",
        tmp_path / "orchestration" / "defs" / "assets.py",
        tmp_path / "dbt_project" / "models" / "marts" / "mart.sql",
        tmp_path / "dbt_project" / "target" / "manifest.json",
    ]
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    newest = run_worker.code_fingerprint(tmp_path)
    for path in files:
        newest += 10
        os.utime(path, (newest, newest))
        assert run_worker.code_fingerprint(tmp_path) == newest, path
    # Python's bytecode cache and dbt's run folders change on every run: not code.
    for path in (
        tmp_path / "failmap" / "__pycache__" / "core.cpython-311.pyc",
        tmp_path / "dbt_project" / "target" / "failmap_dbt_models-1" / "run_results.json",
    ):
        path.parent.mkdir(parents=True)
        path.write_text("")
        os.utime(path, (newest + 100, newest + 100))
    assert run_worker.code_fingerprint(tmp_path) == newest


def _dbt(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    failmap_dbt = Path(sys.executable).parent / "failmap-dbt"
    return subprocess.run(
        [str(failmap_dbt), *args],
        cwd=REPO_ROOT / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_failmap_dbt_forks_dbt_from_the_worker_with_dbt_s_output_and_exit_code(
    instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    path = run_worker.socket_path(Path(instance.root_directory))
    worker = _start_worker(path)
    try:
        _wait_ready(path, worker)
        args = ["ls", "--resource-type", "model", "--output", "name", "--quiet"]
        args += ["--target-path", str(tmp_path / "target"), "--profiles-dir", "."]
        cold_env = {k: v for k, v in os.environ.items() if k != SOCKET_VARIABLE}
        warm_env = {**cold_env, SOCKET_VARIABLE: str(path)}
        cold, warm = _dbt(args, cold_env), _dbt(args, warm_env)
        assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout)
        assert cold.returncode == 0 and "data_freshness" in cold.stdout.split()
        # A command dbt refuses: the same exit code, the message on the same stream.
        cold, warm = _dbt(["no-such-command"], cold_env), _dbt(["no-such-command"], warm_env)
        assert warm.returncode == cold.returncode == 2
        assert "no-such-command" in warm.stderr
        log = (path.parent / "worker.log").read_text()
        assert "run worker: dbt ls in pid" in log  # forked, not a dbt process of its own
        assert "run worker: dbt no-such-command in pid" in log
    finally:
        _stop(worker)


def test_failmap_dbt_without_a_worker_is_the_installed_dbt(tmp_path: Path) -> None:
    env = {**os.environ, SOCKET_VARIABLE: str(tmp_path / "no_worker.sock")}
    result = _dbt(["--version"], env)
    assert result.returncode == 0
    assert "installed:" in result.stdout


def _interrupted_dbt(env: dict[str, str], tmp_path: Path) -> int:
    """Start a dbt query that sleeps 60 s, SIGINT it (as dagster-dbt cancels), its exit code."""
    failmap_dbt = Path(sys.executable).parent / "failmap-dbt"
    args = ["show", "--inline", "select pg_sleep(60)", "--profiles-dir", "."]
    args += ["--target-path", str(tmp_path / "target")]
    # Started with SIGINT ignored, as a shell without job control starts a background command
    # (`failmap up &` in a script): the interrupt must reach dbt all the same.
    process = subprocess.Popen(
        [str(failmap_dbt), *args],
        cwd=REPO_ROOT / "dbt_project",
        env=env,
        preexec_fn=_ignore_sigint,
    )
    # Interrupt once the query runs, not after a fixed wait: on a loaded machine dbt's start and
    # parse took longer than 12 s, and a SIGINT before the query did not stop the 60 s sleep.
    deadline = time.monotonic() + 90
    while not _sleep_query_runs(env["FAILMAP_DATABASE_URL"]):
        assert process.poll() is None, "dbt ended before its query ran"
        assert time.monotonic() < deadline, "dbt's query did not start within 90 s"
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    return process.wait(timeout=30)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _sleep_query_runs(url: str) -> bool:
    with database.connect(url) as conn:
        row = conn.execute(
            "select count(*) from pg_stat_activity"
            " where state = 'active' and query like '%%pg_sleep(60)%%' and pid != pg_backend_pid()"
        ).fetchone()
    return row is not None and row[0] > 0


def test_interrupting_failmap_dbt_interrupts_the_forked_dbt(
    instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    path = run_worker.socket_path(Path(instance.root_directory))
    worker = _start_worker(path)
    try:
        _wait_ready(path, worker)
        cold_env = {k: v for k, v in os.environ.items() if k != SOCKET_VARIABLE}
        cold = _interrupted_dbt(cold_env, tmp_path)
        warm = _interrupted_dbt({**cold_env, SOCKET_VARIABLE: str(path)}, tmp_path)
        assert warm == cold != 0
        assert "run worker: dbt show in pid" in (path.parent / "worker.log").read_text()
    finally:
        _stop(worker)


def _process_gone(pid: int) -> bool:
    """Exited (a zombie not reaped yet counts: it runs nothing)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in status


def test_a_dbt_only_worker_forks_dbt_and_refuses_runs(tmp_path: Path) -> None:
    path = tmp_path / "dbt.sock"
    log = (tmp_path / "worker.log").open("ab")
    args = [sys.executable, "-m", "failmap.runtime.run_worker", "--dbt-only", str(path)]
    worker = subprocess.Popen(args, cwd=REPO_ROOT, stdout=log, stderr=log)
    try:
        _wait_ready(path, worker)
        env = {**os.environ, SOCKET_VARIABLE: str(path)}

        result = _dbt(["--version"], env)

        assert result.returncode == 0
        assert "installed:" in result.stdout
        assert "run worker: dbt --version in pid" in (tmp_path / "worker.log").read_text()
        refused = run_worker.request(path, {"execute_run": "{}"})
        assert refused == {"error": "expected dbt or ping"}
    finally:
        _stop(worker)


def test_a_dbt_only_worker_exits_with_the_process_that_started_it(tmp_path: Path) -> None:
    path = tmp_path / "dbt.sock"
    starter = (
        "import subprocess, sys, time; "
        f"subprocess.Popen([sys.executable, '-m', 'failmap.runtime.run_worker', '--dbt-only', "
        f"{str(path)!r}]); time.sleep(600)"
    )
    parent = subprocess.Popen([sys.executable, "-c", starter], cwd=REPO_ROOT)
    try:
        pid = _wait_ready(path, parent)["pid"]
    finally:
        parent.kill()
        parent.wait()

    deadline = time.monotonic() + 30
    while not _process_gone(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _process_gone(pid)
    assert not path.exists()


def test_a_refresh_s_dbt_forks_from_its_own_dbt_only_worker() -> None:
    from failmap.runtime.refresh import dbt_fork_server

    assert SOCKET_VARIABLE not in os.environ
    with dbt_fork_server():
        path = Path(os.environ[SOCKET_VARIABLE])
        pid = None
        deadline = time.monotonic() + READY_TIMEOUT
        while pid is None and time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                pid = run_worker.request(path, {"ping": True}, timeout=2)["pid"]
            time.sleep(0.5)
        assert pid is not None, "the refresh's dbt worker never listened"
        result = _dbt(["--version"], dict(os.environ))
        assert result.returncode == 0 and "installed:" in result.stdout

    assert SOCKET_VARIABLE not in os.environ
    assert not path.parent.exists()
    deadline = time.monotonic() + 30
    while not _process_gone(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _process_gone(pid)


def test_a_dbt_only_worker_hands_its_parse_to_the_run_s_dbt(
    failmap_env: dict[str, str], tmp_path: Path
) -> None:
    """The worker parses with the run's connection while the run sets up; the run's dbt command
    (its own target directory, as dagster-dbt gives it) starts from that parse, not a full one."""
    path = tmp_path / "dbt.sock"
    log = (tmp_path / "worker.log").open("ab")
    args = [sys.executable, "-m", "failmap.runtime.run_worker", "--dbt-only", str(path)]
    worker = subprocess.Popen(args, cwd=REPO_ROOT, stdout=log, stderr=log)  # failmap_env's
    try:
        _wait_ready(path, worker)
        run_target = tmp_path / "run_target"  # new: no saved parse of its own
        env = {
            **os.environ,
            SOCKET_VARIABLE: str(path),
            "DBT_TARGET_PATH": str(run_target),
            "DBT_LOG_PATH": str(run_target),
        }

        result = _dbt(["parse", "--profiles-dir", "."], env)

        assert result.returncode == 0, result.stdout + result.stderr
        assert (tmp_path / run_worker.PARSED_DIRECTORY / "partial_parse.msgpack").exists()
        assert "Starting full parse" not in result.stdout
        assert "Unable to do partial parsing" not in result.stdout
    finally:
        _stop(worker)


def _ignore_sigterm() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def test_a_worker_started_with_sigterm_ignored_still_stops_on_sigterm(
    instance: dg.DagsterInstance,
) -> None:
    path = run_worker.socket_path(Path(instance.root_directory))
    worker = _start_worker(path, preexec_fn=_ignore_sigterm)
    try:
        _wait_ready(path, worker)
        worker.terminate()
        assert worker.wait(timeout=30) == -signal.SIGTERM
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
