"""The code location loads with every asset, check, sensor and schedule wired."""

from __future__ import annotations

import dagster as dg

from orchestration.definitions import defs


def _keys() -> set[str]:
    graph = defs().resolve_asset_graph()
    return {key.to_user_string() for key in graph.get_all_asset_keys()}


def test_every_layer_has_its_assets() -> None:
    keys = _keys()
    assert {"raw/quality_scores", "raw/runs"} <= keys
    assert {"staging/stg_raw__quality_scores", "staging/stg_raw__runs"} <= keys
    assert "intermediate/int_segments_outcomes_derived" in keys
    assert "predictions/prediction_parameters" in keys
    assert "marts/data_freshness" in keys


def test_lineage_runs_from_ingestion_to_the_marts() -> None:
    graph = defs().resolve_asset_graph()
    staging = graph.get(dg.AssetKey(["staging", "stg_raw__quality_scores"]))
    assert dg.AssetKey(["raw", "quality_scores"]) in staging.parent_keys
    segments = graph.get(dg.AssetKey(["intermediate", "int_segments_outcomes_derived"]))
    assert dg.AssetKey(["staging", "stg_raw__quality_scores"]) in segments.parent_keys


def test_assets_are_grouped_by_layer() -> None:
    graph = defs().resolve_asset_graph()
    groups = {
        key.to_user_string(): graph.get(key).group_name for key in graph.materializable_asset_keys
    }
    assert groups["raw/quality_scores"] == "ingestion"
    assert groups["staging/stg_raw__runs"] == "staging"
    assert groups["intermediate/int_segments_outcomes_derived"] == "intermediate"
    assert groups["marts/data_freshness"] == "marts"
    assert groups["predictions/prediction_parameters"] == "predictions"


def test_dbt_tests_are_asset_checks() -> None:
    graph = defs().resolve_asset_graph()
    checks = {key.name for key in graph.asset_check_keys}
    assert "not_null_int_segments_outcomes_derived" in checks
    assert "enforced_by_declaration_int_segments_outcomes_derived_segment_id__unique" in checks


def test_sensor_schedule_and_job_are_defined() -> None:
    assert defs().resolve_job_def("refresh") is not None
    sensor = defs().resolve_sensor_def("inbox_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    schedule = defs().resolve_schedule_def("nightly_full_refresh")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
