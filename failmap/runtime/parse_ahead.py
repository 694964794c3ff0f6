"""dbt's parse of the project, done by the dbt-only worker while the run sets up and ingests.

dbt reuses its last parse (`partial_parse.msgpack`) only when the rendered connection is the same,
and the embedded server's socket directory lives in the home: the first refresh of a new home
(`failmap up` on a fresh machine, every benchmark and end-to-end test) parsed the whole project
in its dbt step, 4 s of a 30 s refresh on a quiet machine. The worker that `failmap refresh`
starts beside its run (`failmap.runtime.refresh.dbt_fork_server`) has the run's connection in
its environment, so it parses once it has imported dbt, on the second core, while the run's
process builds the run, loads the files and checks them. The run's dbt command, forked from the
same worker, starts from that parse: dbt then re-reads only the files that changed since, as
it does with any saved parse, and falls back to a full parse if the connection differs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path

from failmap.runtime.dbt_manifest import DBT_PROJECT_DIR

PARSE_FILE = "partial_parse.msgpack"


def start(parsed: Path, project_dir: Path = DBT_PROJECT_DIR) -> int:
    """Fork a child that parses the project into `parsed` (a new directory); its pid.

    The project's own last parse is copied in first, so when it matches this connection the
    child's parse is a partial one too.
    """
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(devnull, stream)
        parsed.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            shutil.copy(project_dir / "target" / PARSE_FILE, parsed / PARSE_FILE)
        os.chdir(project_dir)
        from dbt.cli.main import dbtRunner

        args = ["parse", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
        args += ["--target-path", str(parsed)]
        code = 0 if dbtRunner().invoke([*args, "--quiet"]).success else 1
    finally:
        sys.stdout.flush()
        os._exit(code)


def wait(pid: int | None) -> None:
    """Block until the parse child `pid` is done (it may already have been reaped)."""
    if pid is not None:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def hand_over(parsed: Path, env: dict[str, str], cwd: str) -> bool:
    """Give a dbt command the worker's parse; True when it did.

    dagster-dbt runs each command in its own target directory (`DBT_TARGET_PATH`, relative to
    the project) and copies the project's last parse there; the worker's is newer and was made
    with this run's connection, so it replaces it. Commands without that variable keep theirs.
    """
    target = env.get("DBT_TARGET_PATH")
    source = parsed / PARSE_FILE
    if not target or not source.exists():
        return False
    destination = Path(cwd, target) / PARSE_FILE
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, destination)
    return True
