"""The per-day cube and the per-day heatmap built incrementally equal a full rebuild.

intermediate.int_daily_cells_aggregated and marts.daily_failure_heatmap recompute only the days
whose segments changed (other totals or a newer load). Demo data is loaded and built; then,
three times, later files are loaded, the models built incrementally and compared with a full
rebuild (`except` both ways): a new day with a late check for a day built before, then re-deliveries
that change an outcome, move a check to another segment, move a segment to a later day and
empty a segment; then a segment moved off a day no other row touches. The second time the
rows of a day no file touched must not be rewritten.
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
    "daily_failure_heatmap": "marts.daily_failure_heatmap",
}
UNTOUCHED_DAY = START + dt.timedelta(days=1)
MOVED_FROM = START + dt.timedelta(days=3)
# The row versions of a day no later file touches, in both per-day models.
UNTOUCHED_ROWS = f"""
    select 'cube', xmin::text from intermediate.int_daily_cells_aggregated
    where day = '{UNTOUCHED_DAY}'
    union all
    select 'heatmap', xmin::text from marts.daily_failure_heatmap
    where day = '{UNTOUCHED_DAY}'
    order by 1, 2
"""  # noqa: S608


def test_per_day_models_built_incrementally_equal_a_full_rebuild(
    server_url: str, tmp_path: Path
) -> None:
    history = tmp_path / "history"
    demo.write_demo_data(history, days=DAYS, segments_per_day=150, seed=3, start=START)
    url = loaded_database(server_url, sorted(history.iterdir()))
    target = tmp_path / "target"
    run_dbt(url, ["run", "--select", "+daily_failure_heatmap"], target)
    first_file = min(history.glob("quality_scores_*.csv"))

    # A new day, and a late check for a day built before.
    new_day = tmp_path / "new_day"
    demo.write_demo_data(
        new_day, days=1, segments_per_day=150, seed=4, start=START + dt.timedelta(days=DAYS)
    )
    late_file = tmp_path / "quality_scores_late.csv"
    write_late_check(first_file, late_file)
    with database.connect(url) as conn:
        load_files(conn, [*sorted(new_day.iterdir()), late_file])
    found, _ = incremental_versus_rebuild(url, TABLES, target)
    assert found == dict.fromkeys(TABLES, (0, 0))
    with database.connect(url) as conn:
        new_days = conn.execute(
            "select count(*) from marts.daily_failure_heatmap where day = %s",
            [START + dt.timedelta(days=DAYS)],
        ).fetchone()[0]
    assert new_days > 0

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
