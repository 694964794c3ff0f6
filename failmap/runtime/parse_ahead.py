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

A refresh of the home the project's saved parse was made for (every refresh after a home's
first) needs none of this: the dbt asset notes the connection beside the saved parse, and the
worker then does not parse (on 2 cores that work would slow the run's own set-up).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from failmap.runtime.dbt_manifest import DBT_PROJECT_DIR

PARSE_FILE = "partial_parse.msgpack"
# Beside the project's saved parse: the connection it was made with, and the file's stat then.
MADE_FOR_FILE = "partial_parse.made_for"
# What dbt's saved parse depends on besides the project's files: the rendered connection
# (profiles.yml) and the variables dbt_project.yml reads.
PARSE_INPUTS = (
    "FAILMAP_PGHOST",
    "FAILMAP_PGPORT",
    "FAILMAP_PGUSER",
    "FAILMAP_PGDATABASE",
    "FAILMAP_MIN_SUPPORT",
)


def made_for(env: Mapping[str, str], parse_file: Path) -> str:
    """A fingerprint of the connection `env` names and of `parse_file` as it is on disk."""
    stat = parse_file.stat()
    inputs = [f"{name}={env.get(name, '')}" for name in PARSE_INPUTS]
    inputs.append(f"{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\0".join(inputs).encode()).hexdigest()


def record_made_for(env: Mapping[str, str], project_target: Path) -> None:
    """Note which connection the project's saved parse (just replaced) was made with."""
    staged = project_target / f".{MADE_FOR_FILE}.{os.getpid()}"
    staged.write_text(made_for(env, project_target / PARSE_FILE), encoding="utf-8")
    os.replace(staged, project_target / MADE_FOR_FILE)


def saved_parse_fits(env: Mapping[str, str], project_dir: Path = DBT_PROJECT_DIR) -> bool:
    """True when the project's saved parse was made with this connection (by a refresh of the
    same home): dbt will reuse it, and a parse ahead would be wasted work."""
    target = project_dir / "target"
    try:
        noted = (target / MADE_FOR_FILE).read_text(encoding="utf-8")
        return noted == made_for(env, target / PARSE_FILE)
    except FileNotFoundError:
        return False


def start(parsed: Path, project_dir: Path = DBT_PROJECT_DIR) -> int | None:
    """Fork a child that parses the project into `parsed` (a new directory); its pid, or None
    when the project's saved parse already fits this process's connection.

    The project's own last parse is copied in first, so when dbt can reuse part of it the
    child's parse is a partial one too.
    """
    if saved_parse_fits(os.environ, project_dir):
        return None
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
