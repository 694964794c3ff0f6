"""`enforced_by_declaration`: keys guaranteed by the tables' own declarations.

The staging views' keys (`score_id`, `run_id`) and required columns, the segment model's key
(also the key of `failed_segments`, a view of it) and `pattern_occurrences`' two-column key were
data tests that re-read every row on every build; the test now reads the catalog. These tests
show it passes on the migrated schema (and the built models) and fails, naming the rule, when a
declaration is gone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from failmap import database
from failmap.dbt_invoke import DbtFailed, invoke_dbt
from tests.dbt.conftest import new_database, run_dbt

STAGING = ["stg_raw__quality_scores", "stg_raw__runs"]
SELECT = ["--select", *(f"test_name:enforced_by_declaration,{model}" for model in STAGING)]
SEGMENTS = [
    "--select",
    "test_name:enforced_by_declaration,int_segments_outcomes_derived",
    "test_name:enforced_by_declaration,failed_segments",
]
OCCURRENCES = ["--select", "pattern_occurrences_unique_by_declaration"]


def test_declarations_of_the_migrated_schema_pass(server_url: str, tmp_path: Path) -> None:
    url = new_database(server_url)
    result = run_dbt(url, ["test", *SELECT], tmp_path)
    tests = [r for r in result.results if r.node.resource_type == "test"]
    tested = {(r.node.attached_node, r.node.column_name) for r in tests}
    assert tested == {
        ("model.failmap.stg_raw__quality_scores", "score_id"),
        ("model.failmap.stg_raw__quality_scores", "segment_id"),
        ("model.failmap.stg_raw__quality_scores", "passed"),
        ("model.failmap.stg_raw__runs", "run_id"),
    }
    assert {r.status for r in tests} == {"pass"}


@pytest.mark.parametrize(
    ("ddl", "failing"),
    [
        ("alter table raw.runs drop constraint runs_pkey", "run_id"),
        ("alter table raw.quality_scores alter column passed drop not null", "passed"),
        (
            "alter table raw.quality_scores drop constraint quality_scores_pkey;"
            " create index on raw.quality_scores (score_id)",
            "score_id",
        ),
    ],
)
def test_a_dropped_declaration_fails(
    server_url: str, tmp_path: Path, ddl: str, failing: str
) -> None:
    url = new_database(server_url)
    with database.connect(url) as conn:
        conn.execute(ddl)
    saved_test = f"enforced_by_declaration_stg_raw__{'runs' if 'runs' in ddl else 'quality_scores'}"
    with pytest.raises(DbtFailed) as failed:
        invoke_dbt(["test", *SELECT], url=url, target_path=tmp_path)
    message = str(failed.value)
    assert f"{saved_test}_{failing}" in message
    # only the broken declaration fails
    assert message.count("fail:") == 1


def test_the_segment_model_s_key_is_its_unique_index(server_url: str, tmp_path: Path) -> None:
    url = new_database(server_url)
    run_dbt(url, ["run", "--select", "+failed_segments"], tmp_path)
    passed = run_dbt(url, ["test", *SEGMENTS], tmp_path)
    tests = [r for r in passed.results if r.node.resource_type == "test"]
    assert sorted(r.node.attached_node for r in tests) == [
        "model.failmap.failed_segments",
        "model.failmap.int_segments_outcomes_derived",
    ]
    assert {r.status for r in tests} == {"pass"}

    with database.connect(url) as conn:
        index = conn.execute(
            "select indexrelid::regclass::text from pg_index"
            " where indrelid = 'intermediate.int_segments_outcomes_derived'::regclass"
            " and indisunique"
        ).fetchone()
        assert index is not None
        conn.execute(f"drop index {index[0]}")  # type: ignore[arg-type]
    with pytest.raises(DbtFailed, match="segment_id") as failed:
        invoke_dbt(["test", *SEGMENTS], url=url, target_path=tmp_path)
    assert str(failed.value).count("fail:") == 2  # the model's and its view's


@pytest.mark.parametrize(
    ("index", "holds"),
    [
        ("(pattern_key, segment_id)", True),
        ("(segment_id, pattern_key)", True),
        ("(pattern_key)", False),
        ("(pattern_key, segment_id, job_id)", False),
        ("(pattern_key, segment_id) where job_id is not null", False),
    ],
)
def test_a_two_column_key_is_a_unique_index_on_exactly_those_columns(
    server_url: str, tmp_path: Path, index: str, holds: bool
) -> None:
    url = new_database(server_url)
    with database.connect(url) as conn:
        conn.execute(
            "create schema if not exists marts;"
            " create table marts.pattern_occurrences"
            " (pattern_key text, segment_id text, job_id text);"
            f" create unique index on marts.pattern_occurrences {index}"
        )
    if holds:
        result = run_dbt(url, ["test", *OCCURRENCES], tmp_path)
        assert [r.status for r in result.results if r.node.resource_type == "test"] == ["pass"]
    else:
        with pytest.raises(DbtFailed, match="pattern_occurrences_unique_by_declaration"):
            invoke_dbt(["test", *OCCURRENCES], url=url, target_path=tmp_path)
