"""The segment model's not-null rule: a check constraint PostgreSQL enforces, and a test that
reads the declaration instead of every segment.

The constraint must refuse a segment with a null dimension, let the incremental build's stand-in
rows through (its post-hook deletes them), come back on a table that lost it, and the test must
fail when the constraint is gone, stops naming a column, or a stand-in is left behind.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from failmap import database
from tests.dbt.conftest import data_test_failures, new_database, run_dbt

SEGMENTS_TEST = "not_null_int_segments_outcomes_derived"
CONSTRAINT = "segment_columns_not_null"
DROP_CONSTRAINT = (
    "alter table intermediate.int_segments_outcomes_derived"
    " drop constraint segment_columns_not_null"
)
INSERT = (
    "insert into intermediate.int_segments_outcomes_derived (segment_id, job_id, workflow,"
    " model, lora, character, scene_type,"
    " segment_position_bucket, day, is_failed, check_count)"
    " values (%s, %s, %s, 'm', %s, 'none', 'talk', '1-3', '2026-01-01', false, %s)"
)


@pytest.fixture
def built(server_url: str, tmp_path: Path) -> str:
    """A new database with the segment model built (empty, no data delivered)."""
    url = new_database(server_url)
    run_dbt(url, ["run", "--select", "+int_segments_outcomes_derived"], tmp_path)
    return url


def failures(url: str, target: Path) -> list[str]:
    """The test's problems, [] when it passes."""
    return sorted(row[0] for row in data_test_failures(url, SEGMENTS_TEST, target))


def test_it_passes_on_the_built_model(built: str, tmp_path: Path) -> None:
    with database.connect(built) as conn:
        conn.execute(INSERT, ("s1", "j1", "wf", "none", 2))
    assert failures(built, tmp_path) == []


def test_postgresql_refuses_a_segment_with_a_null_dimension(built: str) -> None:
    with database.connect(built) as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(INSERT, ("s1", "j1", "wf", None, 1))


def test_a_stand_in_left_behind_fails(built: str, tmp_path: Path) -> None:
    with database.connect(built) as conn:
        conn.execute(
            "insert into intermediate.int_segments_outcomes_derived (segment_id, check_count)"
            " values ('gone', 0)"
        )
    assert failures(built, tmp_path) == [f"1 rows exempt from {CONSTRAINT} are left"]


def test_a_lost_constraint_fails_then_the_next_build_restores_it(
    built: str, tmp_path: Path
) -> None:
    with database.connect(built) as conn:
        conn.execute(DROP_CONSTRAINT)
    assert failures(built, tmp_path) == [f"no validated check constraint {CONSTRAINT}"]

    run_dbt(built, ["run", "--select", "int_segments_outcomes_derived"], tmp_path)
    assert failures(built, tmp_path) == []


def test_a_constraint_that_stops_naming_a_column_fails_naming_it(
    built: str, tmp_path: Path
) -> None:
    with database.connect(built) as conn:
        conn.execute(DROP_CONSTRAINT)
        conn.execute(
            "alter table intermediate.int_segments_outcomes_derived"
            " add constraint segment_columns_not_null check (check_count = 0 or ("
            "segment_id is not null and job_id is not null and workflow is not null"
            " and model is not null and lora is not null and scene_type is not null"
            " and segment_position_bucket is not null and day is not null"
            " and is_failed is not null))"
        )
    assert failures(built, tmp_path) == [f"character is not declared not null by {CONSTRAINT}"]
