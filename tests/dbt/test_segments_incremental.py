"""An incremental build of the per-segment table gives exactly the table a full rebuild gives.

The per-segment outcomes (intermediate.int_segments_outcomes_derived) are rebuilt only for the
segments touched since the last build. A re-delivered check (same score_id, a later file)
replaces its row in raw and can change its segment's outcome, move to another segment (the old
one loses a check no new row points at), move its segment to another day, or take a segment's
last check away. Demo data is loaded and built; then, twice, later files are loaded, built
incrementally and compared with a full rebuild (`except` both ways): a new day with a new check
for an old segment (nothing built is replaced), then such re-deliveries.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import psycopg
import pytest

from failmap import database, demo
from failmap.ingest import load_files
from tests.dbt.conftest import loaded_database, run_dbt
from tests.dbt.incremental import differences, write_late_check, write_redeliveries

pytestmark = pytest.mark.slow

MODEL = "int_segments_outcomes_derived"
TABLE = f"intermediate.{MODEL}"
START = dt.date(2026, 9, 1)
DAYS = 6


def _row_versions(conn: psycopg.Connection, segments: list[str]) -> dict[str, str]:
    rows = conn.execute(
        f"select segment_id, xmin::text from {TABLE} where segment_id = any(%s)",  # noqa: S608
        [segments],
    ).fetchall()
    return dict(rows)


def _load_and_build(
    url: str, files: list[Path], target: Path, watched: list[str]
) -> tuple[tuple[int, int], dict[str, str]]:
    """Load `files`, build incrementally, keep that table, rebuild from scratch; returns the
    rows only the incremental build has and those only the rebuild has, and the row versions
    of the `watched` segments after the incremental build."""
    with database.connect(url) as conn:
        load_files(conn, files)
    run_dbt(url, ["run", "--select", MODEL], target)
    with database.connect(url) as conn:
        versions = _row_versions(conn, watched)
        conn.execute("drop table if exists public.incremental_build")
        conn.execute(f"create table public.incremental_build as select * from {TABLE}")  # noqa: S608
        conn.commit()
    run_dbt(url, ["run", "--full-refresh", "--select", MODEL], target)
    with database.connect(url) as conn:
        found = (
            differences(conn, "public.incremental_build", TABLE),
            differences(conn, TABLE, "public.incremental_build"),
        )
    return found, versions


def _outcomes(url: str, segments: list[str]) -> dict[str, tuple[int, bool]]:
    with database.connect(url) as conn:
        rows = conn.execute(
            f"select segment_id, check_count, is_failed from {TABLE}"  # noqa: S608
            " where segment_id = any(%s)",
            [segments],
        ).fetchall()
    return {segment: (count, failed) for segment, count, failed in rows}


def test_an_incremental_build_equals_a_full_rebuild(server_url: str, tmp_path: Path) -> None:
    history = tmp_path / "history"
    demo.write_demo_data(history, days=DAYS, segments_per_day=150, seed=3, start=START)
    url = loaded_database(server_url, sorted(history.iterdir()))
    target = tmp_path / "target"
    run_dbt(url, ["run", "--select", f"+{MODEL}"], target)
    first_file = min(history.glob("quality_scores_*.csv"))

    # A new day, and a new check for a segment built days ago: nothing built is replaced.
    new_day = tmp_path / "new_day"
    demo.write_demo_data(
        new_day, days=1, segments_per_day=150, seed=4, start=START + dt.timedelta(days=DAYS)
    )
    late_file = tmp_path / "quality_scores_late.csv"
    late = write_late_check(first_file, late_file)
    differences, _ = _load_and_build(url, [*sorted(new_day.iterdir()), late_file], target, [])
    assert differences == (0, 0)
    count, failed = _outcomes(url, [late])[late]
    assert failed and count > 1  # rebuilt from its earlier checks and the late one

    # Re-deliveries of built checks: an outcome, a segment, a day change; a segment emptied.
    redelivered = tmp_path / "quality_scores_redelivered.csv"
    touched = write_redeliveries(first_file, redelivered)
    with database.connect(url) as conn:
        before = _row_versions(conn, list(touched.values()))
    differences, after = _load_and_build(url, [redelivered], target, list(touched.values()))
    assert differences == (0, 0)
    # The re-deliveries did what they are named for in the full rebuild...
    rebuilt = _outcomes(url, list(touched.values()))
    assert rebuilt[touched["outcome changed"]][1] is True
    assert touched["lost every check"] not in rebuilt
    # ...and the incremental build rewrote only the touched segments' rows.
    assert after[touched["untouched"]] == before[touched["untouched"]]
    assert after[touched["outcome changed"]] != before[touched["outcome changed"]]


def _partial_indexes(url: str) -> dict[str, str]:
    """The model's partial indexes: predicate as PostgreSQL prints it -> index name."""
    with database.connect(url) as conn:
        rows = conn.execute(
            "select pg_get_expr(indpred, indrelid), indexrelid::regclass::text from pg_index"
            " where indrelid = %s::regclass and indpred is not null",
            [TABLE],
        ).fetchall()
    return {row[0]: row[1] for row in rows}


def _plan(url: str, query: str) -> str:
    with database.connect(url) as conn:
        conn.execute("set enable_seqscan = off")
        return "\n".join(row[0] for row in conn.execute(f"explain {query}").fetchall())


def test_stand_ins_and_failed_segments_are_found_through_partial_indexes(
    server_url: str, tmp_path: Path
) -> None:
    """The post-hooks give the model two partial indexes, created once per built table: on the
    first build, kept by incremental builds, made again on a full refresh (which swaps in a new
    table while the old one, with its indexes, still exists). Stand-ins are deleted through one;
    the other serves marts.failed_segments' drill-down (newest failed segments of a period)."""
    history = tmp_path / "history"
    demo.write_demo_data(history, days=2, segments_per_day=20, seed=5, start=START)
    url = loaded_database(server_url, sorted(history.iterdir()))
    target = tmp_path / "target"
    for args in (["run"], ["run"], ["run", "--full-refresh"]):
        run_dbt(url, [*args, "--select", f"+{MODEL}"], target)
        assert sorted(_partial_indexes(url)) == ["(check_count = 0)", "is_failed"]
    assert "Seq Scan" not in _plan(url, f"delete from {TABLE} where check_count = 0")  # noqa: S608
    failed = _partial_indexes(url)["is_failed"]
    drill_down = (
        f"select segment_id from {TABLE} where is_failed"  # noqa: S608
        " and evaluated_at >= '2026-09-01' and evaluated_at < '2026-10-01'"
        " order by evaluated_at desc limit 10"
    )
    assert f"Index Scan Backward using {failed.split('.')[-1]}" in _plan(url, drill_down)
