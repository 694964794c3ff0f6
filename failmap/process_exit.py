"""Ending a failmap command without tearing down every module it imported.

A command that imported Dagster, dbt, Great Expectations and SQLAlchemy spends 1.1-1.5 s at
interpreter shutdown freeing module globals one by one and collecting cycles (measured: 1.46 s
with `os._exit` taking 0.04 s; benchmarks/README.md, "Session 12"): a second of every
`failmap refresh`, after its work is done. Nothing in that teardown matters to a process that
ends: the operating system reclaims its memory, and what must happen first (threads finishing,
`atexit` handlers such as logging's flush and the GX helper's shutdown, buffered output) is done
here before `os._exit`.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Callable
from typing import NoReturn


def exit_code(status: object) -> int:
    """The process exit code `sys.exit(status)` would give (a message is printed, then 1)."""
    if status is None:
        return 0
    if isinstance(status, int):
        return status
    print(status, file=sys.stderr)
    return 1


def run_and_exit(command: Callable[[], object]) -> NoReturn:
    """Run `command` (a click entry point: it ends with SystemExit), then end the process
    without the interpreter's teardown. Exceptions other than SystemExit propagate as usual."""
    try:
        command()
        code = 0
    except SystemExit as stop:
        code = exit_code(stop.code)
    # What a normal shutdown does first: wait for non-daemon threads, run atexit handlers
    # (logging.shutdown flushes handlers), flush the standard streams.
    current = threading.current_thread()
    for thread in threading.enumerate():
        if thread is not current and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed or a broken pipe: nothing more to write
            code = code or 1
    os._exit(code)
