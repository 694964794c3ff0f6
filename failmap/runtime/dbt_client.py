"""`failmap-dbt`: the dbt command line, forked from the warm run worker when the run has one.

dagster-dbt starts dbt as a subprocess in every refresh; a new dbt process spends ~4 s (more
under load) importing dbt before it reads the project. Inside a run forked by
`failmap.runtime.run_worker`, `FAILMAP_RUN_WORKER_SOCKET` names the worker: this command hands it
its arguments, environment, working directory and standard streams, the worker forks a child
that runs dbt's own command line with them (dbt already imported), and this process relays
signals to that child and exits with its exit code. Anywhere else, or when the worker does not
answer, it becomes the installed `dbt` (exec), so the output and exit code are dbt's either way.

Only the standard library is imported here: this process starts in milliseconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
from pathlib import Path

SOCKET_VARIABLE = "FAILMAP_RUN_WORKER_SOCKET"
# The exit code when the dbt child vanished without reporting one (killed).
LOST_CHILD_EXIT_CODE = 1


def exec_installed_dbt(args: list[str]) -> None:
    """Replace this process with the `dbt` installed beside this Python.

    SIGINT is how dagster-dbt stops dbt (a cancelled run). A process started in the background
    of a shell without job control (`failmap up &` in a script) inherits SIGINT ignored, and an
    ignored signal stays ignored across exec: Python would then install no KeyboardInterrupt
    handler and dbt could not be stopped. Restoring the default first lets dbt's Python install
    its own.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    dbt = Path(sys.executable).parent / "dbt"
    os.execv(dbt, [str(dbt), *args])


def run_in_worker(path: Path, args: list[str]) -> int:
    """Run dbt in a child of the worker at `path`; its exit code.

    Raises ConnectionError or FileNotFoundError when no worker listens (nothing started).
    """
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.connect(str(path))
    except OSError:
        client.close()
        raise
    with client:
        request = {"dbt": {"args": args, "env": dict(os.environ), "cwd": os.getcwd()}}
        socket.send_fds(client, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
        client.shutdown(socket.SHUT_WR)
        answers = client.makefile("rb")
        first = json.loads(answers.readline() or b"{}")
        pid = first.get("pid")
        if not isinstance(pid, int):
            raise RuntimeError(f"failmap's run worker did not start dbt: {first!r}")

        def relay(signum: int, _frame: object) -> None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, relay)
        last = json.loads(answers.readline() or b"{}")
        code = last.get("exit")
        return code if isinstance(code, int) else LOST_CHILD_EXIT_CODE


def main() -> None:
    args = sys.argv[1:]
    path = os.environ.get(SOCKET_VARIABLE)
    if path:
        with contextlib.suppress(ConnectionError, FileNotFoundError):  # nothing was started
            sys.exit(run_in_worker(Path(path), args))
    exec_installed_dbt(args)


if __name__ == "__main__":
    main()
