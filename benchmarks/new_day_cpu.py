"""One new day on an existing home: wall-clock seconds and where the CPU seconds went.

    uv run python benchmarks/new_day_cpu.py --home HOME --day DIR [--source TREE] [--label L]

Hard-links the files of DIR (`failmap demo-data --days 1 --out DIR`) into HOME's inbox and
runs `failmap refresh` on HOME (its `FAILMAP_HOME`; the inbox is `HOME/../inbox` when that
exists, as the year homes of benchmarks/README.md are laid out, else `HOME/inbox`). Prints the
wall-clock seconds, the CPU seconds of the refresh's process tree (the command and the helpers
it waited for: GX, dbt) and those of the embedded PostgreSQL server (the postmaster and every
backend, exited ones included: their CPU is in the postmaster's children's times).

Why CPU: these machines have 2 cores, and a year's new day keeps both busy (the Python side
and the server each take about half), so wall-clock seconds mostly move with whatever else
runs; CPU seconds say which side a change made cheaper. The server must be running
(`failmap db start` with the same `FAILMAP_HOME`). One run, never asserted.

--source runs the refresh from another checkout of failmap (an export of `main`, for a
before/after in one run): its directory goes first on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def server_cpu_seconds(pgdata: Path) -> float:
    """User + system CPU of the postmaster, its live children and its reaped children."""
    postmaster = (pgdata / "postmaster.pid").read_text().split()[0]
    ticks = os.sysconf("SC_CLK_TCK")

    def fields(pid: str) -> list[str]:
        text = Path(f"/proc/{pid}/stat").read_text()
        return text[text.rfind(")") + 2 :].split()

    own = fields(postmaster)
    total = sum(int(value) for value in own[11:15])  # utime stime cutime cstime
    for pid in filter(str.isdigit, os.listdir("/proc")):
        if pid == postmaster:
            continue
        try:
            stat = fields(pid)
        except OSError:
            continue  # exited while listing
        if stat[1] == postmaster:
            total += int(stat[11]) + int(stat[12])
    return total / ticks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--day", type=Path, required=True)
    parser.add_argument("--source", type=Path, default=REPO)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    home = args.home.resolve()
    inbox = home.parent / "inbox" if (home.parent / "inbox").is_dir() else home / "inbox"
    for file in sorted(args.day.iterdir()):
        os.link(file, inbox / file.name)
    source = args.source.resolve()
    env = {
        **os.environ,
        "FAILMAP_HOME": str(home),
        "FAILMAP_INBOX": str(inbox),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(source), os.environ.get("PYTHONPATH")])),
    }
    server_before = server_cpu_seconds(home / "pgdata")
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "failmap.cli", "refresh"],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = server_cpu_seconds(home / "pgdata") - server_before
    python = (children.ru_utime - children_before.ru_utime) + (
        children.ru_stime - children_before.ru_stime
    )
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
    print(
        f"{args.label or args.day.name}: exit {done.returncode}, wall {wall:.1f} s, "
        f"refresh processes CPU {python:.1f} s, PostgreSQL CPU {server:.1f} s "
        f"(load average {load:.2f} before)"
    )


if __name__ == "__main__":
    main()
