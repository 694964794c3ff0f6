"""`failmap up` on a fresh home: how long until the dashboard answers with data.

Starts `failmap up` (from this checkout or `--source TREE`) with an empty home and inbox, as a
person would on a new machine: embedded PostgreSQL, demo data written into the inbox, start-up
refresh, dashboard and API, then Dagster. Every line it prints is timestamped, and every 0.25 s
it asks the dashboard (Streamlit's health endpoint) and the API (the failure patterns, read from
the marts) whether they answer. "Dashboard answers with data" is the first moment both do and
the API returns patterns (the marts those read are built: the rest of the dbt build and the
checks may still run; the start-up refresh's summary line marks the end). Stops `failmap up`
(its process group) once it says it is up.

    uv run python benchmarks/up_time.py [--source TREE] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from refresh_time import bytecode_warning

REPO = Path(__file__).resolve().parents[1]
TIMEOUT_SECONDS = 600
# Lines of `failmap up` worth a milestone (the first line containing each).
MILESTONES = {
    "embedded PostgreSQL": "database started",
    "writing demo data": "demo data being written",
    "starting the dashboard": "dashboard and API starting",
    "checks:": "start-up refresh done (every mart built and checked)",
    "starting Dagster": "Dagster starting",
    "failmap is up": "failmap is up",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read() if response.status == 200 else None
    except OSError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=REPO, help="failmap checkout to run")
    parser.add_argument("--keep", type=Path, help="use this directory as the home and keep it")
    args = parser.parse_args()
    source = args.source.resolve()
    work = args.keep or Path(tempfile.mkdtemp(prefix="fm_up_"))
    home, inbox = work / "home", work / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    ports = {name: free_port() for name in ("dagster", "streamlit", "api")}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAILMAP_", "DAGSTER"))}
    env.update({"FAILMAP_HOME": str(home), "FAILMAP_INBOX": str(inbox), "PYTHONPATH": str(source)})
    command = [sys.executable, "-m", "failmap.cli", "up"]
    command += [f"--{name}-port={port}" for name, port in ports.items()]
    load = os.getloadavg()[0]
    began = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=source,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen: dict[str, float] = {}
    log = (work / "up.log").open("w")

    def read_lines() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.write(f"{time.monotonic() - began:7.1f} {line}")
            log.flush()
            for needle, name in MILESTONES.items():
                if needle in line and name not in seen:
                    seen[name] = time.monotonic() - began

    reader = threading.Thread(target=read_lines, daemon=True)
    reader.start()
    health = f"http://127.0.0.1:{ports['streamlit']}/_stcore/health"
    patterns = f"http://127.0.0.1:{ports['api']}/api/analytics/failure-patterns"
    try:
        while "failmap is up" not in seen:
            if process.poll() is not None:
                raise SystemExit(f"failmap up exited; see {work / 'up.log'}")
            if time.monotonic() - began > TIMEOUT_SECONDS:
                raise SystemExit(f"not up after {TIMEOUT_SECONDS} s; see {work / 'up.log'}")
            if "dashboard answers with data" not in seen and answers(health) is not None:
                body = answers(patterns)
                if body and json.loads(body):
                    seen["dashboard answers with data"] = time.monotonic() - began
            time.sleep(0.25)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()
    print(f"source: {source}; load average at the start {load:.1f}")
    if warning := bytecode_warning():
        print(warning)
    for name, at in sorted(seen.items(), key=lambda item: item[1]):
        print(f"  {at:6.1f} s  {name}")
    if args.keep:
        print(f"home kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
