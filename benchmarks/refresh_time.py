"""Where the time of `failmap refresh` goes, on a fresh home: start-up, ingest, checks, dbt.

    uv run python benchmarks/refresh_time.py --inbox DIR [--new-day FILE] [--source TREE]

Copies the inbox DIR (e.g. `failmap demo-data --out DIR`) into a new temporary home with its
own embedded PostgreSQL, runs `failmap refresh` there and timestamps each line it prints as it
arrives. Milestones come from those lines: migrations applied, the refresh starting (the dbt
manifest is ready), the first and last file loaded, the raw-table checks, dbt's start, its
parse, its end, the mart checks and the end. With --new-day, FILE is then copied into the
inbox and a second refresh is timed the same way ("one new day after the set").

--source runs the refresh from another checkout of failmap (e.g. an export of `main`, for a
before/after in one run): its directory goes first on PYTHONPATH of every process. One run,
never asserted; the machine's load average is printed with it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MILESTONES = (
    ("migrations applied", re.compile(r"applied database migrations")),
    ("refresh started (manifest ready)", re.compile(r"^refresh: ingesting")),
    ("first file loaded", re.compile(r"\[1/\d+\] .*(rows loaded|already loaded)")),
    ("raw checks done", re.compile(r"raw\.runs: ")),
    ("dbt started", re.compile(r"Running with dbt=")),
    ("dbt parsed", re.compile(r"Found \d+ models")),
    ("dbt finished", re.compile(r"Finished running")),
    ("refresh finished", re.compile(r"^refresh (finished|FAILED)")),
)


def timed_refresh(env: dict[str, str], log: Path) -> dict[str, float]:
    """Run `failmap refresh`; returns milestone -> seconds since the process started."""
    started = time.perf_counter()
    seen: dict[str, float] = {}
    command = [sys.executable, "-c", "from failmap.cli import main; main()", "refresh"]
    with (
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as process,
        log.open("w") as out,
    ):
        assert process.stdout is not None
        for line in process.stdout:
            at = time.perf_counter() - started
            out.write(f"{at:7.1f} {line}")
            text = line.strip()
            for name, pattern in MILESTONES:
                if name not in seen and pattern.search(text):
                    seen[name] = at
    seen["process exited"] = time.perf_counter() - started
    return seen


def report(title: str, seen: dict[str, float]) -> None:
    print(f"\n{title} (load average {os.getloadavg()[0]:.1f})")
    previous = 0.0
    for name, _ in (*MILESTONES, ("process exited", None)):
        if name in seen:
            print(f"  {seen[name]:7.1f} s  (+{seen[name] - previous:5.1f})  {name}")
            previous = seen[name]


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
    env.pop("FAILMAP_DATABASE_URL", None)
    env.pop("DAGSTER_HOME", None)
    if args.source:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(args.source.resolve()), *filter(None, [env.get("PYTHONPATH")])]
        )
    rows = sum(max(0, sum(1 for _ in p.open()) - 1) for p in inbox.glob("quality_scores*.csv"))
    print(f"source: {args.source or 'this checkout'}; inbox: {args.inbox} ({rows:,} check rows)")
    report("full refresh, fresh home", timed_refresh(env, home / "refresh_1.log"))
    if args.new_day:
        shutil.copy(args.new_day, inbox / args.new_day.name)
        report(f"one new day ({args.new_day.name})", timed_refresh(env, home / "refresh_2.log"))
    stop = [sys.executable, "-c", "from failmap.cli import main; main()", "db", "stop"]
    subprocess.run(stop, env=env, capture_output=True, check=False)
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)
    else:
        print(f"logs kept in {home}")


if __name__ == "__main__":
    main()
