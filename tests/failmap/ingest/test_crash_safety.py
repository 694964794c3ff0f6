"""A loader killed with SIGKILL mid-file leaves nothing behind; the rerun loads it once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from failmap import database

ROWS = 300_000
LOADER = """
import sys
from pathlib import Path
from failmap import database
from failmap.ingest import load_file
with database.connect(sys.argv[1]) as conn:
    load_file(conn, Path(sys.argv[2]))
"""


def _big_csv(path: Path) -> Path:
    index = pd.RangeIndex(ROWS)
    frame = pd.DataFrame(
        {
            "score_id": "s" + index.astype(str),
            "evaluated_at": "2026-09-24T13:05:12+00:00",
            "job_id": "j" + (index // 20).astype(str),
            "segment_id": "seg" + (index // 4).astype(str),
            "segment_position": 1 + (index // 4) % 8,
            "workflow": "w01",
            "model": "m01",
            "scene_type": "action",
            "check_name": "c" + (index % 4).astype(str),
            "score": 0.7,
            "passed": "true",
        }
    )
    frame.to_csv(path, index=False)
    return path


def _loader_query(conn_url: str) -> str | None:
    with database.connect(conn_url, autocommit=True) as conn:
        row = conn.execute(
            "select query from pg_stat_activity "
            "where application_name = 'crash-test' and state = 'active'"
        ).fetchone()
    return row[0] if row else None


def test_sigkill_mid_load_leaves_nothing_and_rerun_loads_exactly_once(
    fresh_database_url: str, tmp_path: Path
) -> None:
    path = _big_csv(tmp_path / "quality_scores_big.csv")
    env = {**os.environ, "PGAPPNAME": "crash-test"}
    loader = subprocess.Popen(
        [sys.executable, "-c", LOADER, fresh_database_url, str(path)], env=env
    )
    deadline = time.monotonic() + 60
    seen = None
    while time.monotonic() < deadline and loader.poll() is None:
        seen = _loader_query(fresh_database_url)
        if seen and ("copy incoming" in seen or "insert into" in seen or "create temp" in seen):
            break
        time.sleep(0.02)
    assert loader.poll() is None, "the loader finished before it could be killed; use more rows"
    os.kill(loader.pid, signal.SIGKILL)
    loader.wait()
    assert seen is not None

    with database.connect(fresh_database_url) as conn:
        for table in ("raw.quality_scores", "raw.ingested_files", "raw.quarantine"):
            assert conn.execute(f"select count(*) from {table}").fetchone()[0] == 0, table  # noqa: S608

    from failmap.ingest import load_file

    with database.connect(fresh_database_url) as conn:
        first = load_file(conn, path)
        again = load_file(conn, path)
        loaded = conn.execute("select count(*) from raw.quality_scores").fetchone()[0]
        files = conn.execute("select count(*) from raw.ingested_files").fetchone()[0]
    assert (first.status, first.rows_loaded) == ("loaded", ROWS)
    assert again.status == "skipped"
    assert (loaded, files) == (ROWS, 1)
