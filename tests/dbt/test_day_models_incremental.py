"""The per-day models and the cells built incrementally equal a full rebuild.

intermediate.int_daily_cells_aggregated, intermediate.int_trend_days_aggregated and
marts.daily_failure_heatmap recompute only the days whose segments changed (other totals or a
newer load); intermediate.int_cells_aggregated adds the new segments' cells to those built and
sums every day again after any other change. Demo data is loaded and built; then, six times,
later files are loaded, the models built incrementally and compared with a full rebuild
(`except` both ways): a new day alone (only the cells it has segments in may be rewritten), a
late batch of new segments for a day built before (likewise), a new check moving a segment of
the first day to the new day (no check replaced), a day later with a late check for a day
built before, then re-deliveries that change an outcome, move a check to another segment, move
a segment to a later day and empty a segment (the rows of a day no file touched must not be
rewritten); then a segment moved off a day no other row touches.
Last, a heatmap built before it kept last_loaded_at (an upgraded home) is rebuilt in full.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from failmap import database, demo
from failmap.ingest import load_files
from tests.dbt.conftest import loaded_database, run_dbt
from tests.dbt.incremental import (
    incremental_versus_rebuild,
    write_day_move,
    write_late_check,
    write_redeliveries,
)

pytestmark = pytest.mark.slow

START = dt.date(2026, 9, 1)
DAYS = 6
TABLES = {
    "int_segments_outcomes_derived": "intermediate.int_segments_outcomes_derived",
    "int_daily_cells_aggregated": "intermediate.int_daily_cells_aggregated",
    "int_cells_aggregated": "intermediate.int_cells_aggregated",
    "int_trend_days_aggregated": "intermediate.int_trend_days_aggregated",
    "daily_failure_heatmap": "marts.daily_failure_heatmap",
}
UNTOUCHED_DAY = START + dt.timedelta(days=1)
MOVED_FROM = START + dt.timedelta(days=3)
# The row versions of a day no later file touches, in the per-day models.
UNTOUCHED_ROWS = f"""
    select 'cube', xmin::text from intermediate.int_daily_cells_aggregated
    where day = '{UNTOUCHED_DAY}'
    union all
    select 'heatmap', xmin::text from marts.daily_failure_heatmap
    where day = '{UNTOUCHED_DAY}'
    union all
    select 'trend', xmin::text from intermediate.int_trend_days_aggregated
    where day = '{UNTOUCHED_DAY}'
    order by 1, 2
"""  # noqa: S608
# The cells' row versions: a new day alone rewrites only the cells it has segments in.
CELL_ROWS = "select cell_hash, xmin::text from intermediate.int_cells_aggregated"
# The cells of the checks of a day loaded last (the cells' own hash of their six values).
BATCH_CELLS = """
    select distinct hashtextextended(concat_ws('|', segments.workflow, segments.model,
        segments.lora, segments.character, segments.scene_type,
        segments.segment_position_bucket), 0)
    from intermediate.int_segments_outcomes_derived as segments
    where segments.day = %s
        and segments.loaded_at = (select max(loaded_at) from raw.quality_scores)
"""


def test_per_day_models_built_incrementally_equal_a_full_rebuild(
    server_url: str, tmp_path: Path
) -> None:
    history = tmp_path / "history"
    demo.write_demo_data(history, days=DAYS, segments_per_day=150, seed=3, start=START)
    url = loaded_database(server_url, sorted(history.iterdir()))
    target = tmp_path / "target"
    run_dbt(
        url,
        ["run", "--select", "+daily_failure_heatmap", "+int_trend_days_aggregated"],
        target,
    )
    first_file = min(history.glob("quality_scores_*.csv"))

    # A new day alone: the cells add it, and only the cells it has segments in are rewritten.
    new_day = START + dt.timedelta(days=DAYS)
    demo.write_demo_data(tmp_path / "new_day", days=1, segments_per_day=150, seed=4, start=new_day)
    with database.connect(url) as conn:
        cells_before = set(conn.execute(CELL_ROWS).fetchall())
    with database.connect(url) as conn:
        load_files(conn, sorted((tmp_path / "new_day").iterdir()))
    found, cells_after = incremental_versus_rebuild(url, TABLES, target, observe=CELL_ROWS)
    assert found == dict.fromkeys(TABLES, (0, 0))
    with database.connect(url) as conn:
        new_day_cells = {
            row[0]
            for row in conn.execute(
                "select cell_hash from intermediate.int_cells_aggregated where last_day = %s",
                [new_day],
            ).fetchall()
        }
        new_days = conn.execute(
            "select count(*) from marts.daily_failure_heatmap where day = %s", [new_day]
        ).fetchone()[0]
    assert new_days > 0
    rewritten = {cell for cell, version in set(cells_after) - cells_before}
    assert new_day_cells and rewritten == new_day_cells

    # A late batch: new segments for the first day, built before (a second file of that day).
    # The cells add them as well: only the cells those segments are in are rewritten.
    late_batch = tmp_path / "late_batch"
    demo.write_demo_data(late_batch, days=1, segments_per_day=40, seed=9, start=START)
    with database.connect(url) as conn:
        cells_before = set(conn.execute(CELL_ROWS).fetchall())
    with database.connect(url) as conn:
        load_files(conn, sorted(late_batch.iterdir()))
    found, cells_after = incremental_versus_rebuild(url, TABLES, target, observe=CELL_ROWS)
    assert found == dict.fromkeys(TABLES, (0, 0))
    with database.connect(url) as conn:
        batch_cells = set(conn.execute(BATCH_CELLS, [START]).fetchall())
    rewritten = {cell for cell, version in set(cells_after) - cells_before}
    assert batch_cells and rewritten == {cell for (cell,) in batch_cells}

    # A new check (no check replaced) dated on the new day for a segment of the first day: the
    # segment leaves its day without a newer load on that day pointing at it.
    moved_late = tmp_path / "quality_scores_moved_late.csv"
    write_late_check(first_file, moved_late, evaluated_at=f"{new_day}T12:00:00+00:00")
    with database.connect(url) as conn:
        load_files(conn, [moved_late])
    found, _ = incremental_versus_rebuild(url, TABLES, target)
    assert found == dict.fromkeys(TABLES, (0, 0))

    # A day later, and a late check for a day built before: every cell is summed again.
    next_day = tmp_path / "next_day"
    demo.write_demo_data(
        next_day, days=1, segments_per_day=150, seed=5, start=new_day + dt.timedelta(days=1)
    )
    late_file = tmp_path / "quality_scores_late.csv"
    write_late_check(first_file, late_file)
    with database.connect(url) as conn:
        load_files(conn, [*sorted(next_day.iterdir()), late_file])
    found, _ = incremental_versus_rebuild(url, TABLES, target)
    assert found == dict.fromkeys(TABLES, (0, 0))

    # Re-deliveries of built checks, on the first days only.
    redelivered = tmp_path / "quality_scores_redelivered.csv"
    write_redeliveries(first_file, redelivered)
    with database.connect(url) as conn:
        before = conn.execute(UNTOUCHED_ROWS).fetchall()
        load_files(conn, [redelivered])
    found, after = incremental_versus_rebuild(url, TABLES, target, observe=UNTOUCHED_ROWS)
    assert found == dict.fromkeys(TABLES, (0, 0))
    assert before and after == before  # the untouched day was not rewritten

    # A segment re-delivered to a later day, on a day nothing else touches: only the ledger's
    # count of replaced rows makes the per-day models compare every day's totals and see it.
    moved = tmp_path / "quality_scores_moved.csv"
    write_day_move(first_file, moved, MOVED_FROM, days_later=2)
    with database.connect(url) as conn:
        load_files(conn, [moved])
    found, _ = incremental_versus_rebuild(url, TABLES, target)
    assert found == dict.fromkeys(TABLES, (0, 0))

    # A heatmap built before it kept last_loaded_at (an upgraded home): every day is redone.
    with database.connect(url) as conn:
        conn.execute("alter table marts.daily_failure_heatmap drop column last_loaded_at")
    heatmap = {"daily_failure_heatmap": TABLES["daily_failure_heatmap"]}
    found, _ = incremental_versus_rebuild(url, heatmap, target)
    assert found == dict.fromkeys(heatmap, (0, 0))
