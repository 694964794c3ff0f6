"""The partition test: each dimension's single-value rows of marts.combination_failure_rates add
up to every segment and every failure. It counts the segments through index-only scans now, so
it must still see a segment the marts lack, including when the marts are empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from failmap import database
from tests.dbt.conftest import data_test_failures, new_database, run_dbt

TEST = "assert_single_dimensions_cover_every_segment"
INSERT = (
    "insert into intermediate.int_segments_outcomes_derived (segment_id, job_id, workflow,"
    " model, lora, character, scene_type, segment_position_bucket, day, is_failed, check_count,"
    " loaded_at) values (%s, 'j1', 'w', 'm', 'none', 'none', 'talk', '1-3', '2026-01-01', %s, 1,"
    " now())"
)


@pytest.fixture
def built(server_url: str, tmp_path: Path) -> str:
    """A new database with the segment model and the combination rates built (no data yet)."""
    url = new_database(server_url)
    run_dbt(url, ["run", "--select", "+combination_failure_rates"], tmp_path)
    return url


def test_it_passes_on_empty_marts(built: str, tmp_path: Path) -> None:
    assert data_test_failures(built, TEST, tmp_path) == []


def test_a_segment_the_marts_lack_fails_every_dimension(built: str, tmp_path: Path) -> None:
    with database.connect(built) as conn:
        conn.execute(INSERT, ("s1", True))
        conn.execute(INSERT, ("s2", False))
    rows = data_test_failures(built, TEST, tmp_path)
    # One row per dimension: 0 segments and 0 failures against 2 segments, 1 failure.
    assert sorted(row[0] for row in rows) == sorted(
        ["workflow", "model", "lora", "character", "scene_type", "segment_position"]
    )
    assert {tuple(row[1:]) for row in rows} == {(0, 0)}
