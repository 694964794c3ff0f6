"""Sensor-triggered refresh latency under `failmap up`: file dropped -> refreshed marts.

Starts `failmap up` on a fresh home (embedded PostgreSQL, demo data, initial refresh, Dagster
webserver + daemon, dashboard), waits until no refresh run is in progress, then drops one new
day of quality_scores at a time into the inbox and polls `marts.data_freshness` until it counts
the new file. Nothing else is done between the drop and
the refreshed mart. Each drop's Dagster run is read back over GraphQL to split the delay:

    drop -> run created (sensor) -> enqueued (planned events written) -> run started (launch)
         -> dbt step started (ingest, raw checks) -> marts refreshed -> run ended

The run's steps are read back from the Dagster instance in the temporary home.

    uv run python benchmarks/sensor_latency.py [--days 60] [--segments-per-day 1000] [--drops 3]

With `--home HOME --inbox INBOX` it runs on an existing home instead (a year's home of
benchmarks/README.md: what a new day costs at that size on the path a team uses every day),
which it keeps; the dropped days then follow `--first-drop-day` (default: the days before
today), each of `--segments-per-day` segments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]


RUNS_QUERY = """
{ runsOrError(filter: {pipelineName: "refresh"}, limit: 50) {
    ... on Runs { results { runId status creationTime startTime endTime } } } }
"""


def refresh_runs(port: int) -> list[dict]:
    return graphql(port, RUNS_QUERY)["runsOrError"]["results"]


@dataclass
class Drop:
    file: str
    seconds: float  # drop -> marts.data_freshness counts the file
    dropped_at: float = 0.0
    run_id: str | None = None
    to_created: float | None = None
    to_started: float | None = None  # drop -> the run worker started executing
    to_ended: float | None = None  # drop -> the run ended (every mart rebuilt and checked)
    steps: dict[str, float] | None = None  # milestone -> seconds after the drop


class Up:
    """`failmap up` in its own process group, with its log."""

    def __init__(self, home: Path, inbox: Path, log: Path) -> None:
        self.dagster_port, self.streamlit_port = free_port(), free_port()
        self.api_port = free_port()
        self.home, self.inbox, self.log = home, inbox, log
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FAILMAP_", "DAGSTER"))}
        env.update({"FAILMAP_HOME": str(home), "FAILMAP_INBOX": str(inbox)})
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "failmap.cli",
                "up",
                "--dagster-port",
                str(self.dagster_port),
                "--streamlit-port",
                str(self.streamlit_port),
                "--api-port",
                str(self.api_port),
            ],
            cwd=REPO,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"failmap up exited; see {self.log}")
            if "failmap is up" in self.log.read_text():
                return
            time.sleep(1)
        raise TimeoutError(f"failmap up not ready after {timeout} s; see {self.log}")

    def database_url(self) -> str:
        pid_file = self.home / "pgdata" / "postmaster.pid"
        socket_dir = pid_file.read_text().splitlines()[4]
        return f"postgresql://postgres@/postgres?host={socket_dir}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def freshness(url: str) -> tuple[int, dt.datetime] | None:
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute(
                "select files_loaded_count, refreshed_at from marts.data_freshness"
            ).fetchone()
    except psycopg.Error:
        return None


def wait_until_idle(up: Up, timeout: float) -> None:
    """Until no refresh run is queued or in progress (after the sensor had time to tick)."""
    time.sleep(12)  # two sensor intervals: a run the sensor would request exists by now
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = refresh_runs(up.dagster_port)
        if all(run["status"] in ("SUCCESS", "FAILURE", "CANCELED") for run in runs):
            return
        time.sleep(2)
    raise TimeoutError("a refresh run did not finish")


def drop_day(up: Up, day: dt.date, segments: int, url: str, timeout: float) -> Drop:
    """Write one day of quality_scores beside the inbox, move it in, wait for the marts."""
    from failmap.demo import write_demo_data

    staging = up.home / f"drop-{day}"
    summary = write_demo_data(staging, days=1, segments_per_day=segments, seed=7, start=day)
    source = next(path for path in summary.files if path.name.startswith("quality_scores"))
    before = freshness(url)
    assert before is not None
    known_runs = {run["runId"] for run in refresh_runs(up.dagster_port)}
    target = up.inbox / source.name
    dropped_at = time.time()
    shutil.move(source, target)  # same file system: an atomic rename
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = freshness(url)
        if now is not None and now[0] > before[0]:
            break
        time.sleep(0.25)
    else:
        raise TimeoutError(f"{target.name} not in marts.data_freshness after {timeout} s")
    result = Drop(target.name, time.time() - dropped_at, dropped_at)
    wait_until_idle(up, timeout=timeout)  # the run's end: every mart rebuilt and checked
    new_runs = [run for run in refresh_runs(up.dagster_port) if run["runId"] not in known_runs]
    if new_runs:
        run = min(new_runs, key=lambda r: r["creationTime"])
        result.run_id = run["runId"]
        result.to_created = run["creationTime"] - dropped_at
        result.to_started = run["startTime"] - dropped_at if run["startTime"] else None
        result.to_ended = run["endTime"] - dropped_at if run["endTime"] else None
    return result


def run_milestones(home: Path, run_id: str, dropped_at: float) -> dict[str, float]:
    """Seconds from the drop to each milestone of the run, from the instance's event log."""
    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    import dagster as dg

    milestones = {
        dg.DagsterEventType.RUN_ENQUEUED.value: "enqueued",
        dg.DagsterEventType.RUN_START.value: "started",
    }
    marks: dict[str, float] = {}
    with dg.DagsterInstance.get() as instance:
        for entry in instance.all_logs(run_id):
            event = entry.dagster_event
            if event is None:
                continue
            name = milestones.get(event.event_type_value)
            if event.step_key == "failmap_dbt_models" and event.event_type_value == "STEP_START":
                name = "dbt step"
            if event.step_key == "failmap_dbt_models" and event.event_type_value == "STEP_SUCCESS":
                name = "dbt step done"
            if name and name not in marks:
                marks[name] = entry.timestamp - dropped_at
    return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--segments-per-day", type=int, default=1000)
    parser.add_argument("--drops", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary home.")
    parser.add_argument("--home", type=Path, help="An existing FAILMAP_HOME (kept).")
    parser.add_argument("--inbox", type=Path, help="Its inbox (with --home).")
    parser.add_argument("--first-drop-day", type=dt.date.fromisoformat)
    args = parser.parse_args()

    first_drop = args.first_drop_day or dt.date.today() - dt.timedelta(days=args.drops)
    if args.home:
        if not args.inbox:
            parser.error("--home needs --inbox")
        work = Path(tempfile.mkdtemp(prefix="fm_sensor_"))
        home, inbox = args.home.resolve(), args.inbox.resolve()
        args.keep = True
    else:
        work = Path(tempfile.mkdtemp(prefix="fm_sensor_"))
        home, inbox = work / "home", work / "inbox"
        inbox.mkdir(parents=True)
        from failmap.demo import write_demo_data

        # Demo days end before the dropped days (no row dated in the future).
        start = first_drop - dt.timedelta(days=args.days)
        write_demo_data(inbox, days=args.days, segments_per_day=args.segments_per_day, start=start)
    up = Up(home, inbox, work / "up.log")
    drops: list[Drop] = []
    try:
        began = time.monotonic()
        up.wait_until_up(timeout=900)
        print(f"failmap up ready in {time.monotonic() - began:.0f} s (initial refresh included)")
        wait_until_idle(up, timeout=900)
        url = up.database_url()
        for index in range(args.drops):
            # Each drop meets an idle Dagster: no earlier run still holds the queue.
            wait_until_idle(up, timeout=900)
            day = first_drop + dt.timedelta(days=index)
            drop = drop_day(up, day, args.segments_per_day, url, timeout=600)
            drops.append(drop)
            print(
                f"drop {index + 1}: {drop.seconds:5.1f} s to refreshed data_freshness "
                f"(run created +{drop.to_created or 0:.1f} s, "
                f"started +{drop.to_started or 0:.1f} s, "
                f"ended +{drop.to_ended or 0:.1f} s: all marts rebuilt and checked)"
            )
    finally:
        up.stop()
        for drop in drops:
            if drop.run_id:
                drop.steps = run_milestones(home, drop.run_id, drop.dropped_at)
                marks = ", ".join(f"{name} +{t:.1f}" for name, t in drop.steps.items())
                print(f"{drop.file}: created +{drop.to_created or 0:.1f}, {marks}")
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")
    seconds = [drop.seconds for drop in drops]
    sizes = (
        f"on {home}, {args.segments_per_day} segments a drop"
        if args.home
        else f"{args.days} days x {args.segments_per_day} segments/day"
    )
    ended = [drop.to_ended for drop in drops if drop.to_ended is not None]
    if seconds:
        print(
            f"file drop -> data_freshness refreshed: median {statistics.median(seconds):.1f} s, "
            f"max {max(seconds):.1f} s; -> run ended: median "
            f"{statistics.median(ended) if ended else float('nan'):.1f} s "
            f"over {len(seconds)} drops ({sizes})"
        )


if __name__ == "__main__":
    main()
