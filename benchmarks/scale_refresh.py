"""`failmap refresh` at scale against the near-limit reference, with peak memory, then a new day.

    uv run python benchmarks/scale_refresh.py --inbox DIR [--new-day FILE] [--source TREE]
        [--keep DIR] [--no-reference]

Links the inbox DIR (e.g. `failmap demo-data --days 120 --segments-per-day 10000`) into a new
home with its own embedded PostgreSQL (hard links: a year of CSV is not copied), runs
`failmap refresh` there with benchmarks/refresh_time.py's milestones, and samples the resident
memory of everything it starts (the refresh process, its dbt children, the PostgreSQL server)
every 0.5 s. Then, in the same PostgreSQL, the reference: what a hand-written pipeline with no
validation, history or statistics would do (COPY every quality_scores CSV into an unindexed table
of text columns, roll checks up to one row per segment, one GROUPING SETS query over the 41
combinations of benchmarks/patterns/grouping_sets_baseline.sql). With --new-day, FILE is then
linked into the inbox and a second refresh is timed ("one new day after the set"). --source runs
another checkout (an export of `main`): its directory is the refresh's working directory and
first on PYTHONPATH. One run, never asserted; load averages are printed with each figure.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import re
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import psutil
from duckdb_peer import BUCKET, grouping_sets
from refresh_time import bytecode_warning, report, stop_home, timed_refresh

from failmap import database


class PeakMemory:
    """Peak of the summed resident memory of this process's descendants and the server's tree.

    RSS counts PostgreSQL's shared buffers once per backend that touched them, so the sum is an
    upper bound.
    """

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _processes(self) -> list[psutil.Process]:
        found = psutil.Process().children(recursive=True)
        pid_file = self.pgdata / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, psutil.NoSuchProcess):
            postmaster = psutil.Process(int(pid_file.read_text().split()[0]))
            found += [postmaster, *postmaster.children(recursive=True)]
        return list({p.pid: p for p in found}.values())

    def _sample(self) -> int:
        total = 0
        for process in self._processes():
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                total += process.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            time.sleep(0.5)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def reference(url: str, inbox: Path) -> dict[str, float]:
    """COPY, roll up, 41 grouping sets in the given database; seconds per step."""
    files = sorted(inbox.glob("quality_scores*.csv"))
    if not files:
        raise SystemExit("the reference reads CSV files; none in the inbox")
    seconds: dict[str, float] = {}
    with database.connect(url) as conn, conn.cursor() as cur:
        started = time.perf_counter()
        header = next(csv.reader(files[0].open()))
        columns = ", ".join(f'"{name}" text' for name in header)
        cur.execute(f"create temporary table reference_checks ({columns})")
        for path in files:
            with path.open() as handle:
                assert next(csv.reader(handle)) == header, path
            with (
                cur.copy("copy reference_checks from stdin (format csv, header true)") as copy,
                path.open("rb") as handle,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
        seconds["COPY the files"] = time.perf_counter() - started
        position = "max(segment_position::integer)"
        # Built from this file's constants only.
        cur.execute(
            f"""
            create temporary table reference_segments as
            select segment_id, max(workflow) as workflow, max(model) as model,
                coalesce(max(nullif(lora, '')), 'none') as lora,
                coalesce(max(nullif(character, '')), 'none') as character,
                max(scene_type) as scene_type,
                {BUCKET.replace("segment_position", position)} as segment_position_bucket,
                bool_or(passed in ('false', 'False', '0', 'f')) as is_failed
            from reference_checks group by segment_id
            """  # noqa: S608
        )
        rolled_up = time.perf_counter() - started
        seconds["roll checks up to segments"] = rolled_up - seconds["COPY the files"]
        cur.execute(
            f"""
            create temporary table reference_combinations as
            select workflow, model, lora, character, scene_type, segment_position_bucket,
                count(*) as total_count, count(*) filter (where is_failed) as failure_count
            from reference_segments group by grouping sets ({grouping_sets()})
            """  # noqa: S608
        )
        seconds["41 grouping sets"] = time.perf_counter() - started - rolled_up
        conn.commit()
    return seconds


STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ")
PHASES = (
    ("first file loaded", re.compile(r"\] \S+: .*(rows loaded|already loaded)")),
    ("last quality_scores file loaded", re.compile(r"raw__quality_scores - \[(\d+)/\1\]")),
    ("last runs file loaded", re.compile(r"raw__runs - \[(\d+)/\1\]")),
    ("raw checks done", re.compile(r"raw\.runs: ")),
    ("last line of the log", re.compile(r"")),
)


def refresh_phases(logs: Path, after: float) -> None:
    """Print the phases of the newest refresh log (Dagster's timestamped lines; seconds since
    the refresh began) and dbt's own duration: `failmap refresh` prints a progress bar, the
    details go to that log."""
    newest = [p for p in logs.glob("refresh-*.log") if p.stat().st_mtime >= after]
    if not newest:
        return
    log = max(newest, key=lambda p: p.stat().st_mtime)
    lines = log.read_text().splitlines()
    stamps = [(m.group(1), line) for line in lines if (m := STAMP.match(line))]
    if not stamps:
        return
    # The log is named after the refresh's start (refresh-YYYYmmdd-HHMMSS.log).
    first = datetime.strptime(log.stem.removeprefix("refresh-"), "%Y%m%d-%H%M%S")
    print(f"  phases (s after the refresh began, {first:%H:%M:%S}; {log}):")
    for name, pattern in PHASES:
        hits = [stamp for stamp, line in stamps if pattern.search(line)]
        if hits:
            at = hits[0] if name == "first file loaded" else hits[-1]
            print(f"    {(datetime.fromisoformat(at) - first).total_seconds():6.0f}  {name}")
    for line in lines:
        if line.startswith("Finished running"):
            print(f"    dbt: {line.split(' in ', 1)[1]}")


def check_rows(inbox: Path) -> int:
    """Data rows of the inbox's quality_scores CSV and Parquet files."""
    import pyarrow.parquet as pq

    csv_rows = sum(max(0, sum(1 for _ in p.open()) - 1) for p in inbox.glob("quality_scores*.csv"))
    parquet = inbox.glob("quality_scores*.parquet")
    return csv_rows + sum(pq.ParquetFile(p).metadata.num_rows for p in parquet)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument("--new-day", type=Path, help="a file, or a folder of one day's files")
    parser.add_argument("--source", type=Path, help="failmap checkout to run (default: this one)")
    parser.add_argument("--keep", type=Path, help="use this directory as the home and keep it")
    parser.add_argument("--no-reference", action="store_true", help="skip the reference")
    args = parser.parse_args()
    home = (args.keep or Path(tempfile.mkdtemp(prefix="fmscale"))).resolve()
    args.inbox = args.inbox.resolve()
    args.new_day = args.new_day.resolve() if args.new_day else None
    inbox = home / "inbox"
    inbox.mkdir(parents=True)
    for path in sorted(args.inbox.iterdir()):
        os.link(path, inbox / path.name)
    pgdata = home / "home" / "pgdata"
    # timed_refresh runs the refresh from the failmap home (never from a checkout): it must exist.
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "FAILMAP_HOME": str(home / "home"),
        "FAILMAP_INBOX": str(inbox),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("FAILMAP_DATABASE_URL", None)
    env.pop("DAGSTER_HOME", None)
    if args.source:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(args.source.resolve()), *filter(None, [env.get("PYTHONPATH")])]
        )
        # `python -c` puts its working directory before PYTHONPATH: run from the source, or a
        # failmap checkout as working directory would be what runs.
        os.chdir(args.source)
    rows = check_rows(inbox)
    print(f"source: {args.source or 'this checkout'}; inbox: {args.inbox} ({rows:,} check rows)")
    if warning := bytecode_warning():
        print(warning)
    print(f"load average at start {os.getloadavg()[0]:.1f}", flush=True)
    logs = home / "home" / "logs"
    started = time.time()
    with PeakMemory(pgdata) as memory:
        seen = timed_refresh(env, home / "refresh_1.log")
    report("full refresh, fresh home", seen)
    refresh_phases(logs, started)
    print(f"  peak memory (RSS sum): {memory.peak / 2**20:,.0f} MiB", flush=True)
    if not args.no_reference:
        url = database.start_embedded(pgdata)
        load = os.getloadavg()[0]
        with PeakMemory(pgdata) as memory:
            steps = reference(url, inbox)
        total = sum(steps.values())
        print(f"\nreference in the same PostgreSQL (load average {load:.1f})")
        for name, value in steps.items():
            print(f"  {value:7.1f} s  {name}")
        print(f"  {total:7.1f} s  total; peak memory (RSS sum) {memory.peak / 2**20:,.0f} MiB")
        print(f"ratio full refresh / reference: {seen['process exited'] / total:.1f}x", flush=True)
    if args.new_day:
        day_files = sorted(args.new_day.iterdir()) if args.new_day.is_dir() else [args.new_day]
        for path in day_files:
            os.link(path, inbox / path.name)
        started = time.time()
        with PeakMemory(pgdata) as memory:
            seen = timed_refresh(env, home / "refresh_2.log")
        report(f"one new day ({args.new_day.name})", seen)
        refresh_phases(logs, started)
        print(f"  peak memory (RSS sum): {memory.peak / 2**20:,.0f} MiB")
    stop_home(env, home, keep=bool(args.keep))


if __name__ == "__main__":
    main()
