"""Compiled bytecode for the installed libraries, made once per install instead of per command.

Where Python does not write bytecode itself (`PYTHONDONTWRITEBYTECODE=1`, as on the project's
machines), every process of a refresh (the command, the GX and dbt helpers) compiles Dagster, dbt
and GX again at import: a 256k-row refresh took 36-38 s instead of 27-29 s (benchmarks/README.md,
"Session 12"). uv's `compile-bytecode` setting avoided that, but `uv run` with it set checks
every file of the environment on every call (uv issue #12202: 11,429 files, about 1 s of wall
clock and 1.2 s of CPU for each `uv run failmap ...`). Here the check is one `stat`: the
compile runs when the environment's `site-packages` changed since the last one (a package added,
removed or upgraded changes its entries), and `compileall` skips files already compiled.
"""

from __future__ import annotations

import compileall
import contextlib
import os
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

MARKER_NAME = ".failmap-bytecode"


def _stamp(site_packages: Path) -> str:
    return str(site_packages.stat().st_mtime_ns)


def ensure_compiled(echo: Callable[[str], None] | None = None) -> bool:
    """Compile this environment's libraries if they may lack bytecode; True if it compiled.

    Nothing to do where Python writes its own bytecode at import. `echo` gets one line before a
    compile, which takes about 45 s the first time on 2 cores (benchmarks/README.md).
    """
    if not sys.flags.dont_write_bytecode:
        return False
    site_packages = Path(sysconfig.get_paths()["purelib"])
    return compile_when_changed(site_packages, Path(sys.prefix) / MARKER_NAME, echo)


def compile_when_changed(
    site_packages: Path, marker: Path, echo: Callable[[str], None] | None = None
) -> bool:
    """Compile `site_packages` unless `marker` holds its stamp; True if it compiled.

    A directory that is not ours to write (a system install) is left alone.
    """
    try:
        if marker.read_text() == _stamp(site_packages):
            return False
    except FileNotFoundError:
        pass
    except OSError:
        return False
    if not os.access(site_packages, os.W_OK):
        return False
    if echo is not None:
        echo("Compiling the installed libraries' bytecode (once per install) ...")
    # quiet=2: a library's test data that is not Python 3 is not the user's problem.
    compileall.compile_dir(site_packages, quiet=2, workers=0)
    # Taken after the compile: the first one adds site-packages/__pycache__ itself.
    with contextlib.suppress(OSError):
        marker.write_text(_stamp(site_packages))
    return True
