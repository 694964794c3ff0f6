"""Where the time of `failmap refresh` goes, on a fresh home: start-up, ingest, checks, dbt.

    uv run python benchmarks/refresh_time.py --inbox DIR [--new-day FILE] [--source TREE]

Copies the inbox DIR (e.g. `failmap demo-data --out DIR`) into a new temporary home with its
own embedded PostgreSQL, runs `failmap refresh` there and timestamps each line it prints as it
arrives, and the lines of the run's full log (`$FAILMAP_HOME/logs/refresh-*.log`: the terminal
only shows a progress display) as they are written. Milestones come from those lines: migrations
applied, the refresh starting (the dbt manifest is ready), the first and last file loaded, the
raw-table checks, dbt's start, its parse, its end, the mart checks and the end. With --new-day,
FILE is then copied into the inbox and a second refresh is timed the same way ("one new day
after the set").

--source runs the refresh from another checkout of failmap (e.g. an export of `main`, for a
before/after in one run): its directory goes first on PYTHONPATH of every process. One run,
never asserted; the machine's load average is printed with it.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

# (name, pattern, which line counts: the first that matches or the last). The Dagster lines
# come from the run's log file; the others from what the command prints.
MILESTONES = (
    ("migrations applied", re.compile(r"applied database migrations"), "first"),
    ("refresh started (manifest ready)", re.compile(r"^refresh: ingesting"), "first"),
    (
        "first file loaded",
        re.compile(r" - \[1/\d+\] .*(rows loaded|already loaded|REJECTED)"),
        "first",
    ),
    (
        "last file loaded",
        re.compile(r" - \[\d+/\d+\] .*(rows loaded|already loaded|REJECTED)"),
        "last",
    ),
    ("raw checks done", re.compile(r"raw\.runs: "), "first"),
    ("dbt started", re.compile(r"Running with dbt="), "first"),
    ("dbt parsed", re.compile(r"Found \d+ models"), "first"),
    ("dbt finished", re.compile(r"Finished running"), "first"),
    ("mart checks done", re.compile(r" - marts\.\w+: "), "last"),
    ("refresh finished", re.compile(r"^refresh (finished|FAILED)"), "first"),
)
POLL_SECONDS = 0.05


class LogTail(threading.Thread):
    """Reads the refresh log files that appear in `log_dir`, handing each new line to `on_line`."""

    def __init__(self, log_dir: Path, on_line: Callable[[str], None]) -> None:
        super().__init__(daemon=True)
        self.log_dir = log_dir
        self.on_line = on_line
        self.known = set(log_dir.glob("refresh-*.log")) if log_dir.exists() else set()
        self.stopping = threading.Event()

    def run(self) -> None:
        handle: TextIO | None = None
        pending = ""
        while True:
            stopping = self.stopping.wait(POLL_SECONDS)
            if handle is None:
                new = sorted(set(self.log_dir.glob("refresh-*.log")) - self.known)
                if new:
                    handle = new[0].open(encoding="utf-8", errors="replace")
            if handle is not None:
                pending += handle.read()
                *lines, pending = pending.split("\n")
                for line in lines:
                    self.on_line(line)
            if stopping:
                if handle is not None:
                    handle.close()
                return


def timed_refresh(env: dict[str, str], log: Path) -> dict[str, float]:
    """Run `failmap refresh`; returns milestone -> seconds since the process started."""
    started = time.perf_counter()
    wall_started = time.time()
    seen: dict[str, float] = {}
    lock = threading.Lock()
    out = log.open("w")

    def on_line(line: str) -> None:
        at = time.perf_counter() - started
        with lock:
            out.write(f"{at:7.1f} {line.rstrip()}\n")
            for name, pattern, which in MILESTONES:
                if (which == "last" or name not in seen) and pattern.search(line.strip()):
                    seen[name] = at

    tail = LogTail(Path(env["FAILMAP_HOME"]) / "logs", on_line)
    tail.start()
    command = [sys.executable, "-m", "failmap.cli", "refresh"]
    # Not from this checkout's directory: `python -c` puts the working directory first on
    # sys.path, ahead of --source.
    with subprocess.Popen(
        command,
        env=env,
        cwd=env["FAILMAP_HOME"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            on_line(line)
    seen["process exited"] = time.perf_counter() - started
    tail.stopping.set()
    tail.join()
    out.close()
    seen.update(run_milestones(Path(env["FAILMAP_HOME"]) / "dagster", wall_started))
    return seen


def run_milestones(dagster_home: Path, wall_started: float) -> dict[str, float]:
    """When the newest run was created (its first planned event), started, and reached dbt:
    read back from the Dagster instance of the home (its log has no lines for these)."""
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(dagster_home)
    found: dict[str, float] = {}
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_run_records(limit=1)
        if not runs:
            return found
        records = instance.get_records_for_run(runs[0].dagster_run.run_id, limit=100_000).records
        for record in records:
            entry = record.event_log_entry
            event = entry.dagster_event
            at = entry.timestamp - wall_started
            if "run created (planned events)" not in found:
                found["run created (planned events)"] = at
            if event is None:
                continue
            if event.event_type == dg.DagsterEventType.RUN_START:
                found["run started"] = at
            elif (
                event.event_type == dg.DagsterEventType.STEP_START
                and "dbt" in (event.step_key or "")
                and "dbt step started" not in found
            ):
                found["dbt step started"] = at
    os.environ.pop("DAGSTER_HOME", None)
    return found


def report(title: str, seen: dict[str, float]) -> None:
    print(f"\n{title} (load average {os.getloadavg()[0]:.1f})")
    previous = 0.0
    for name in sorted(seen, key=seen.__getitem__):
        print(f"  {seen[name]:7.1f} s  (+{seen[name] - previous:5.1f})  {name}")
        previous = seen[name]


def stop_home(env: dict[str, str], home: Path, *, keep: bool) -> None:
    """Stop the home's embedded PostgreSQL, then delete the home unless it is to be kept."""
    stop = [sys.executable, "-m", "failmap.cli", "db", "stop"]
    subprocess.run(stop, env=env, cwd=home, capture_output=True, check=False)
    if keep:
        print(f"home kept in {home}")
    else:
        shutil.rmtree(home, ignore_errors=True)


def bytecode_warning() -> str | None:
    """A warning when the libraries' bytecode is missing and Python will not write it.

    Then every process of the refresh compiles Dagster, dbt and GX again at import: a 256k-row
    refresh measured 36-38 s instead of 27-29 s (benchmarks/README.md, "Session 12"). A figure
    taken like that measures the compiler, not failmap.
    """
    spec = importlib.util.find_spec("dagster")
    origin = spec.origin if spec else None
    if not sys.flags.dont_write_bytecode or origin is None:
        return None
    if Path(importlib.util.cache_from_source(origin)).exists():
        return None
    return (
        "WARNING: the environment has no compiled bytecode and PYTHONDONTWRITEBYTECODE is set: "
        "every process compiles its imports (run `uv sync --compile-bytecode` first)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument("--new-day", type=Path)
    parser.add_argument("--source", type=Path, help="failmap checkout to run (default: this one)")
    parser.add_argument("--keep", type=Path, help="use this directory as the home and keep it")
    args = parser.parse_args()
    home = args.keep or Path(tempfile.mkdtemp(prefix="fmrefresh"))
    inbox = home / "inbox"
    shutil.copytree(args.inbox, inbox)
    env = {
        **os.environ,
        "FAILMAP_HOME": str(home / "home"),
        "FAILMAP_INBOX": str(inbox),
        "PYTHONUNBUFFERED": "1",  # each line as it is printed, for its timestamp
    }
    (home / "home").mkdir(parents=True, exist_ok=True)
    env.pop("FAILMAP_DATABASE_URL", None)
    env.pop("DAGSTER_HOME", None)
    if args.source:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(args.source.resolve()), *filter(None, [env.get("PYTHONPATH")])]
        )
    rows = sum(max(0, sum(1 for _ in p.open()) - 1) for p in inbox.glob("quality_scores*.csv"))
    print(f"source: {args.source or 'this checkout'}; inbox: {args.inbox} ({rows:,} check rows)")
    if warning := bytecode_warning():
        print(warning)
    report("full refresh, fresh home", timed_refresh(env, home / "refresh_1.log"))
    if args.new_day:
        shutil.copy(args.new_day, inbox / args.new_day.name)
        report(f"one new day ({args.new_day.name})", timed_refresh(env, home / "refresh_2.log"))
    stop_home(env, home, keep=bool(args.keep))


if __name__ == "__main__":
    main()
