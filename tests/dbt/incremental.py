"""Helpers for the tests that an incremental dbt build equals a full rebuild.

Later landing files that re-deliver or add to what was built (written from an earlier file, so
they touch real built rows), and the comparison of an incrementally built table with the same
table rebuilt from scratch (`except` both ways).
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from pathlib import Path

import psycopg

from failmap import database
from tests.dbt.conftest import run_dbt

# The columns that describe a segment's generation: a check moved to another segment takes
# that segment's values, as the contract says all checks of a segment share them.
GENERATION = (
    "evaluated_at",
    "job_id",
    "scene_id",
    "segment_id",
    "segment_position",
    "workflow",
    "workflow_version",
    "model",
    "model_version",
    "lora",
    "character",
    "scene_type",
    "creator",
    "project",
)


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A landing CSV's header and rows."""
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def _segments(path: Path) -> tuple[list[str], dict[str, list[dict[str, str]]]]:
    header, rows = read_rows(path)
    by_segment = {
        segment: list(checks)
        for segment, checks in itertools.groupby(rows, key=lambda row: row["segment_id"])
    }
    return header, by_segment


def write_redeliveries(first_file: Path, out: Path) -> dict[str, str]:
    """Write a later file re-delivering checks of `first_file`; returns the segments it touches
    by what happens to them."""
    header, by_segment = _segments(first_file)
    passing = [
        s
        for s, checks in by_segment.items()
        if len(checks) >= 2 and all(c["passed"] == "true" for c in checks)
    ]
    failed, losing, gaining, later, vanishing, absorbing = passing[:6]
    rows = []

    flipped = dict(by_segment[failed][0], passed="false", failure_reason="re-judged: flicker")
    rows.append(flipped)

    moved = dict(by_segment[losing][0])
    moved.update({c: by_segment[gaining][0][c] for c in GENERATION})
    rows.append(moved)

    evaluated = dt.datetime.fromisoformat(by_segment[later][0]["evaluated_at"])
    rows.append(
        dict(by_segment[later][0], evaluated_at=(evaluated + dt.timedelta(days=3)).isoformat())
    )

    for check in by_segment[vanishing]:
        gone = dict(check)
        gone.update({c: by_segment[absorbing][0][c] for c in GENERATION})
        rows.append(gone)

    write_rows(out, header, rows)
    return {
        "outcome changed": failed,
        "lost a check": losing,
        "gained a check": gaining,
        "moved to a later day": later,
        "lost every check": vanishing,
        "gained those checks": absorbing,
        "untouched": passing[6],
    }


def write_day_move(history_file: Path, out: Path, day: dt.date, days_later: int) -> str:
    """Write a later file re-delivering every check of one segment evaluated on `day` with its
    evaluated_at `days_later` later; returns the segment. Nothing else of `day` is touched, so
    only a comparison of every day's totals can see that `day` lost a segment."""
    header, by_segment = _segments(history_file)
    segment, checks = next(
        (s, c)
        for s, c in by_segment.items()
        if dt.datetime.fromisoformat(c[0]["evaluated_at"]).date() == day
    )
    shift = dt.timedelta(days=days_later)
    rows = [
        dict(c, evaluated_at=(dt.datetime.fromisoformat(c["evaluated_at"]) + shift).isoformat())
        for c in checks
    ]
    write_rows(out, header, rows)
    return segment


def write_late_check(first_file: Path, out: Path, evaluated_at: str | None = None) -> str:
    """Write a later file with one new failed check (a new score_id) for a segment of
    `first_file` that passed; returns that segment. No built check is replaced. With
    `evaluated_at` (later than the segment's checks) the check moves the segment to that day."""
    header, by_segment = _segments(first_file)
    segment, checks = next(
        (s, c) for s, c in reversed(by_segment.items()) if all(x["passed"] == "true" for x in c)
    )
    late = dict(
        checks[0],
        score_id=f"{checks[0]['score_id']}-late",
        check_name="late_gate",
        passed="false",
        failure_reason="judged late",
    )
    if evaluated_at is not None:
        late["evaluated_at"] = evaluated_at
    write_rows(out, header, [late])
    return segment


def differences(conn: psycopg.Connection, left: str, right: str, columns: str = "*") -> int:
    """Rows of `left` that `right` lacks (compared on `columns`, a select list)."""
    return conn.execute(
        f"select count(*) from (select {columns} from {left}"  # noqa: S608
        f" except select {columns} from {right}) as d"
    ).fetchone()[0]


def incremental_versus_rebuild(
    url: str,
    tables: dict[str, str],
    target: Path,
    args: tuple[str, ...] = (),
    observe: str | None = None,
    ignore: tuple[str, ...] = (),
) -> tuple[dict[str, tuple[int, int]], list[tuple]]:
    """Build the models of `tables` (model name -> relation) incrementally, keep those tables,
    rebuild the models from scratch. Returns, per model, the rows only the incremental build
    has and those only the rebuild has (every column but those named in `ignore`: stamps of
    the dbt run that wrote a row); and the rows of the query `observe` run right after the
    incremental build. `args` go to both dbt runs (e.g. `--vars`)."""
    models = list(tables)
    run_dbt(url, ["run", "--select", *models, *args], target)
    with database.connect(url) as conn:
        observed = conn.execute(observe).fetchall() if observe is not None else []
        for model, table in tables.items():
            conn.execute(f"drop table if exists public.incremental_{model}")
            conn.execute(f"create table public.incremental_{model} as select * from {table}")  # noqa: S608
            for column in ignore:
                conn.execute(
                    f"alter table public.incremental_{model} drop column if exists {column}"
                )
        conn.commit()
    run_dbt(url, ["run", "--full-refresh", "--select", *models, *args], target)
    with database.connect(url) as conn:
        found = {}
        for model, table in tables.items():
            columns = ", ".join(
                row[0]
                for row in conn.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = 'public' and table_name = %s"
                    " order by ordinal_position",
                    [f"incremental_{model}"],
                ).fetchall()
            )
            found[model] = (
                differences(conn, f"public.incremental_{model}", table, columns),
                differences(conn, table, f"public.incremental_{model}", columns),
            )
    return found, observed
