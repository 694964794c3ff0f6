"""`enforced_by_source`: the staging keys are guaranteed by the raw tables' declarations.

The staging views' keys (`score_id`, `run_id`) and required columns were data tests that
re-read every raw row on every build; the test now reads the catalog instead. These tests
show it passes on the migrated schema and fails, naming the rule, when a declaration is gone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from failmap import database
from failmap.dbt_invoke import DbtFailed, invoke_dbt
from tests.dbt.conftest import new_database, run_dbt

SELECT = ["--select", "test_name:enforced_by_source"]


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
    saved_test = f"enforced_by_source_stg_raw__{'runs' if 'runs' in ddl else 'quality_scores'}"
    with pytest.raises(DbtFailed) as failed:
        invoke_dbt(["test", *SELECT], url=url, target_path=tmp_path)
    message = str(failed.value)
    assert f"{saved_test}_{failing}" in message
    # only the broken declaration fails
    assert message.count("fail:") == 1
