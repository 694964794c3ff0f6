"""The error analytics assets: wired between raw/runs, dbt and the exports, and materializable."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from failmap import database
from failmap.ingest import load_file
from orchestration.definitions import defs
from orchestration.defs.errors.assets import (
    CANDIDATE_PATTERNS_KEY,
    ERROR_MESSAGE_SIGNATURES_KEY,
    candidate_failure_patterns,
    error_message_signatures,
)
from orchestration.defs.resources import FailmapResource
from tests.dbt.error_marts import demo_marts
from tests.failmap.ingest.conftest import run_row, write_csv


def test_signatures_sit_between_raw_runs_and_dbt() -> None:
    graph = defs().resolve_asset_graph()
    signatures = graph.get(ERROR_MESSAGE_SIGNATURES_KEY)
    assert signatures.parent_keys == {dg.AssetKey(["raw", "runs"])}
    assert signatures.group_name == "ingestion"
    staging = graph.get(dg.AssetKey(["staging", "stg_raw__error_message_signatures"]))
    assert ERROR_MESSAGE_SIGNATURES_KEY in staging.parent_keys


def test_the_export_follows_the_marts_in_group_exports() -> None:
    graph = defs().resolve_asset_graph()
    export = graph.get(CANDIDATE_PATTERNS_KEY)
    assert export.group_name == "exports"
    assert {key.to_user_string() for key in export.parent_keys} == {
        "marts/error_signatures",
        "marts/run_errors",
    }
    # The keys are written out in the export's definition: they must be the dbt models' own.
    assert all(graph.get(key).is_materializable for key in export.parent_keys)
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    for mart in ("run_errors", "error_signatures", "error_summary", "phase_error_breakdown",
                 "error_trends", "debug_recommendations"):  # fmt: skip
        assert f"marts/{mart}" in keys


def test_the_refresh_job_runs_both_assets() -> None:
    job = defs().resolve_job_def("refresh")
    keys = job.asset_layer.executable_asset_keys if hasattr(job, "asset_layer") else set()
    assert {ERROR_MESSAGE_SIGNATURES_KEY, CANDIDATE_PATTERNS_KEY} <= set(keys)


def test_signature_asset_stores_signatures_and_reports_counts(
    fresh_database_url: str, tmp_path: Path
) -> None:
    rows = [run_row(i, failure_reason=f"NaN at step {i}", phase_errors="") for i in range(5)]
    with database.connect(fresh_database_url) as conn:
        load_file(conn, write_csv(tmp_path / "runs_1.csv", rows))

    resource = FailmapResource(inbox=str(tmp_path), database_url=fresh_database_url)
    result = dg.materialize([error_message_signatures], resources={"failmap": resource})

    assert result.success
    [materialization] = result.asset_materializations_for_node("raw__error_message_signatures")
    metadata = {key: value.value for key, value in materialization.metadata.items()}
    assert (metadata["messages"], metadata["signatures"], metadata["new_signatures"]) == (6, 2, 2)
    with database.connect(fresh_database_url) as conn:
        count = conn.execute("select count(*) from raw.error_message_signatures").fetchone()[0]
    assert count == 6  # five messages and the empty one


@pytest.fixture(scope="module")
def demo_marts_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_marts(server_url, tmp_path_factory.mktemp("demo_runs"))


def test_export_asset_writes_the_json_where_configured(demo_marts_url: str, tmp_path: Path) -> None:
    path = tmp_path / "candidates.json"

    result = dg.materialize(
        [candidate_failure_patterns],
        resources={"failmap": FailmapResource(inbox=str(tmp_path), database_url=demo_marts_url)},
        run_config={
            "ops": {
                "exports__candidate_failure_patterns": {
                    "config": {"path": str(path), "min_occurrences": 1, "days": 100_000}
                }
            }
        },
    )

    assert result.success
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["min_occurrences"] == 1
    assert len(document["candidates"]) == 5  # the demo's five unknown error families


def test_export_asset_defaults_to_failmap_home(
    demo_marts_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAILMAP_HOME", str(tmp_path / "home"))

    result = dg.materialize(
        [candidate_failure_patterns],
        resources={"failmap": FailmapResource(inbox=str(tmp_path), database_url=demo_marts_url)},
    )

    assert result.success
    assert (tmp_path / "home" / "exports" / "candidate_failure_patterns.json").is_file()
