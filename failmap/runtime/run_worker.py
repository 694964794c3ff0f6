"""A warm process that starts Dagster runs by forking, so no run imports the code location again.

Under `dagster dev` every run starts a new Python process that imports dagster, dagster-dbt,
the dbt manifest and failmap (8-30 s on a shared 2-core machine), and its first Great
Expectations check then waits on GX's own import (7-30 s): both sit between a file landing in
the inbox and refreshed marts. `failmap up` starts this worker once. It imports all of that,
resolves the definitions, then listens on a Unix socket in DAGSTER_HOME; failmap's run launcher
(`failmap.runtime.run_launcher`) sends it each run, and the worker forks a child that executes the
run exactly as `dagster api execute_run` does, with everything already imported.

A fork would run the code imported at start-up. So the worker compares the modification times
of failmap's sources and the dbt project (with its manifest) with those it imported: when one
changed it answers `stale`, the launcher starts that run the default way (a fresh process), and
the worker re-executes itself to import the new code.

    python -m failmap.runtime.run_worker SOCKET_PATH [WATCH_ROOT]

Protocol: one JSON request per connection, answered with JSON lines. `{"ping": true}` ->
`{"ready": true}`; `{"execute_run": "<serialized ExecuteRunArgs>"}` -> `{"pid": <child>}` or
`{"stale": true}`; `{"dbt": {"args", "env", "cwd"}}` with the caller's three standard streams
attached -> `{"pid": <child>}`, later `{"exit": <code>}` (see `failmap.runtime.dbt_client`: a run's
dbt forks from here too, without dbt's ~4 s import; it runs only the installed dbt library, so
a stale worker does not matter for it).

    python -m failmap.runtime.run_worker --dbt-only SOCKET_PATH

starts a worker that imports only dbt and answers only `dbt` (and `ping`) requests: `failmap
refresh` starts one beside its own process (`failmap.runtime.refresh`), so the run's dbt step
forks dbt instead of waiting ~3 s for its import. It also parses the project meanwhile, with the
run's connection (`failmap.runtime.parse_ahead`), and hands that parse to the run's dbt. It exits
when the process that started it does.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import signal
import socket
import sys
import time
import traceback
from pathlib import Path
from typing import Any, NoReturn

from failmap.runtime import parse_ahead
from failmap.runtime.dbt_client import SOCKET_VARIABLE

REPO_ROOT = Path(__file__).resolve().parents[2]
SOCKET_NAME = "run_worker.sock"
# AF_UNIX paths are limited to 108 bytes (with the terminating NUL).
MAX_SOCKET_PATH = 100
# Code the definitions are built from: a change here means a fork would run old code.
WATCHED_TREES = ("orchestration", "failmap")
WATCHED_DBT = ("models", "macros", "seeds", "snapshots", "tests", "dbt_project.yml")
# Imported by a run after the definitions: the run launcher's entry point, dbt's command line
# with the postgres adapter (forked for `failmap-dbt`) and GX (at the first check).
PRELOADED_MODULES = (
    "dagster._cli.api",
    "dbt.cli.main",
    "dbt.adapters.postgres",
    "great_expectations",
)
# What a dbt-only worker imports (dbt's command line with the postgres adapter).
DBT_MODULES = ("dbt.cli.main", "dbt.adapters.postgres")
# Beside a dbt-only worker's socket: its parse of the project (`failmap.runtime.parse_ahead`).
PARSED_DIRECTORY = "parsed"
REAP_INTERVAL_SECONDS = 1.0
ANSWER_TIMEOUT_SECONDS = 10.0


def socket_path(dagster_home: Path) -> Path:
    """Where the worker of the Dagster instance in `dagster_home` listens."""
    return dagster_home / SOCKET_NAME


def code_fingerprint(repo: Path = REPO_ROOT) -> float:
    """The newest modification time among the files the code location is built from."""
    paths: list[Path] = []
    for tree in WATCHED_TREES:
        paths += (repo / tree).rglob("*.py")
    dbt_project = repo / "dbt_project"
    for name in WATCHED_DBT:
        source = dbt_project / name
        paths += source.rglob("*") if source.is_dir() else [source]
    paths.append(dbt_project / "target" / "manifest.json")
    newest = 0.0
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            newest = max(newest, path.stat().st_mtime)
    return newest


def request(path: Path, message: dict[str, Any], timeout: float = ANSWER_TIMEOUT_SECONDS) -> Any:
    """Send one message to the worker at `path` and return its answer.

    Raises ConnectionError (or FileNotFoundError) when no worker listens there, before anything
    was sent; other OSErrors after.
    """
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(timeout)
        client.connect(str(path))
        client.sendall(json.dumps(message).encode() + b"\n")
        client.shutdown(socket.SHUT_WR)
        return json.loads(_read_all(client) or b"null")


def _read_all(connection: socket.socket) -> bytes:
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _receive(connection: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """One request and the file descriptors sent with it (`failmap-dbt` sends its streams)."""
    first, fds, _flags, _address = socket.recv_fds(connection, 65536, 3)
    try:
        message = json.loads(first + _read_all(connection) if first else b"{}")
    except (OSError, ValueError):
        for fd in fds:
            os.close(fd)
        raise
    return message if isinstance(message, dict) else {}, fds


def preload() -> None:
    """Import what every run needs, so forks start with it; resolve the definitions once."""
    # GX would send usage statistics; failmap never talks to the internet.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    from failmap.runtime.code_location import load_definitions

    load_definitions().get_repository_def()
    for module in PRELOADED_MODULES:
        importlib.import_module(module)


def execute_forked_run(input_json: str, path: Path) -> NoReturn:
    """In the fork: execute the run as `dagster api execute_run` would, then exit."""
    code = 1
    try:
        os.environ[SOCKET_VARIABLE] = str(path)  # the run's dbt (`failmap-dbt`) forks from here
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from dagster._cli.api import execute_run_command
        from dagster._utils.interrupts import setup_interrupt_handlers

        setup_interrupt_handlers()  # SIGTERM interrupts the run like SIGINT, as in the CLI
        callback = execute_run_command.callback  # the click command's function
        assert callback is not None
        callback(input_json=input_json, compressed_input_json=None)
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def execute_forked_dbt(
    connection: socket.socket, request: dict[str, Any], fds: list[int], parsed: Path | None = None
) -> NoReturn:
    """In the fork: run dbt's command line as `failmap-dbt`'s process would run `dbt`, then exit.

    Takes over the caller's standard streams, environment and working directory; reports this
    process's pid first (for signals) and dbt's exit code last. `parsed`: the worker's own parse
    of the project (`failmap.runtime.parse_ahead`), handed to the command.
    """
    code = 1
    try:
        connection.settimeout(None)
        for target, fd in enumerate(fds[:3]):
            os.dup2(fd, target)
        for fd in fds:
            os.close(fd)
        sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
        if parsed is not None:
            parse_ahead.hand_over(parsed, request["env"], request["cwd"])
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["dbt", *request["args"]]
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        connection.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
        from dbt.cli.main import cli

        cli.main(args=request["args"], prog_name="dbt")
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        with contextlib.suppress(OSError):
            connection.sendall(json.dumps({"exit": code}).encode() + b"\n")
        os._exit(code)


def _reap_children() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _answer(connection: socket.socket, answer: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        connection.sendall(json.dumps(answer).encode() + b"\n")


def serve(path: Path, watch_root: Path = REPO_ROOT, *, dbt_only: bool = False) -> NoReturn:
    """Preload, then fork one child per run requested over the socket at `path`.

    `watch_root` is the checkout whose changes make the worker re-import (tests point it
    elsewhere). `dbt_only`: import only dbt, answer only dbt requests, and exit once the parent
    process is gone.
    """
    # Before importing: a change during it counts. (A dbt-only worker never runs failmap code.)
    imported = 0.0 if dbt_only else code_fingerprint(watch_root)
    started = time.monotonic()
    parent = os.getppid()
    if dbt_only:
        for module in DBT_MODULES:
            importlib.import_module(module)
    else:
        preload()
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous_umask = os.umask(0o177)  # only this user may ask for runs
    try:
        listener.bind(str(path))
    finally:
        os.umask(previous_umask)
    listener.listen()
    listener.settimeout(REAP_INTERVAL_SECONDS)
    # A dbt-only worker parses the project for the run's dbt while the run sets up.
    parsed = path.parent / PARSED_DIRECTORY if dbt_only else None
    parsing = parse_ahead.start(parsed) if parsed is not None else None
    print(
        f"run worker ready in {time.monotonic() - started:.1f} s (pid {os.getpid()}): {path}",
        flush=True,
    )
    while True:
        _reap_children()
        if dbt_only and os.getppid() != parent:
            path.unlink(missing_ok=True)
            raise SystemExit(0)  # whoever started it is gone: nobody will ask again
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            continue
        with connection:
            connection.settimeout(ANSWER_TIMEOUT_SECONDS)
            try:
                message, fds = _receive(connection)
            except (OSError, ValueError) as error:
                print(f"run worker: unreadable request: {error}", flush=True)
                continue
            if isinstance(message.get("dbt"), dict) and len(fds) == 3:
                parse_ahead.wait(parsing)
                parsing = None
                pid = os.fork()
                if pid == 0:
                    listener.close()
                    execute_forked_dbt(connection, message["dbt"], fds, parsed)
                for fd in fds:
                    os.close(fd)
                command = " ".join(str(arg) for arg in message["dbt"].get("args", [])[:1])
                print(f"run worker: dbt {command} in pid {pid}", flush=True)
                continue
            for fd in fds:
                os.close(fd)
            if message.get("ping"):
                _answer(connection, {"ready": True, "pid": os.getpid()})
                continue
            input_json = message.get("execute_run")
            if not isinstance(input_json, str) or dbt_only:
                expected = "dbt or ping" if dbt_only else "ping or execute_run"
                _answer(connection, {"error": f"expected {expected}"})
                continue
            if code_fingerprint(watch_root) != imported:
                # No new connection reaches this process until it listens again.
                path.unlink(missing_ok=True)
                listener.close()
                _answer(connection, {"stale": True})
                connection.close()
                print("run worker: the code changed; re-importing it", flush=True)
                os.execv(
                    sys.executable,
                    [sys.executable, "-m", "failmap.runtime.run_worker", *sys.argv[1:]],
                )
            pid = os.fork()
            if pid == 0:
                listener.close()
                connection.close()
                execute_forked_run(input_json, path)
            _answer(connection, {"pid": pid})
            print(f"run worker: run in pid {pid}", flush=True)


def main() -> None:
    # A service stops on SIGTERM (`failmap up`, the refresh that started a dbt-only worker). An
    # ignored disposition survives fork() and exec(): started by a process that ignored SIGTERM,
    # the worker would ignore it too and outlive everything (seen once under a test run).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    args = sys.argv[1:]
    dbt_only = args[:1] == ["--dbt-only"]
    if dbt_only:
        args = args[1:]
    if len(args) not in (1, 2):
        raise SystemExit(
            "usage: python -m failmap.runtime.run_worker [--dbt-only] SOCKET_PATH [WATCH_ROOT]"
        )
    path = Path(args[0])
    if len(str(path)) > MAX_SOCKET_PATH:
        raise SystemExit(f"socket path {path} is longer than {MAX_SOCKET_PATH} characters")
    serve(path, Path(args[1]) if len(args) == 2 else REPO_ROOT, dbt_only=dbt_only)


if __name__ == "__main__":
    main()
