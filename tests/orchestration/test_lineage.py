"""The Dagster UI shows every asset in one of its layer groups, with a description, and the lineage
runs from the inbox files to the dashboard and the metrics endpoint."""

from __future__ import annotations

import dagster as dg

from orchestration.definitions import defs

GROUPS = {"ingestion", "staging", "intermediate", "marts", "predictions", "quality", "exports"}


def _graph():
    return defs().resolve_asset_graph()


def _upstream(key: dg.AssetKey) -> set[dg.AssetKey]:
    graph, seen, todo = _graph(), set(), [key]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def test_every_asset_is_in_one_of_the_layer_groups_with_a_description() -> None:
    graph = _graph()
    nodes = [graph.get(key) for key in graph.get_all_asset_keys()]

    assert {
        node.key.to_user_string(): node.group_name
        for node in nodes
        if node.group_name not in GROUPS
    } == {}
    assert {node.group_name for node in nodes} == GROUPS
    assert [node.key.to_user_string() for node in nodes if not node.description] == []


def test_lineage_runs_from_the_inbox_to_the_dashboard_and_the_metrics() -> None:
    inbox = dg.AssetKey(["inbox"])
    for export in ("dashboard", "prometheus_metrics"):
        upstream = _upstream(dg.AssetKey(["exports", export]))
        assert inbox in upstream
        assert dg.AssetKey(["raw", "quality_scores"]) in upstream
        assert dg.AssetKey(["marts", "data_freshness"]) in upstream


def test_the_ledger_and_quarantine_sit_with_ingestion_downstream_of_the_loads() -> None:
    graph = _graph()
    for table in ("ingested_files", "quarantine"):
        node = graph.get(dg.AssetKey(["raw", table]))
        assert node.group_name == "ingestion"
        assert dg.AssetKey(["raw", "quality_scores"]) in node.parent_keys


def test_declared_nodes_are_not_materialized_by_the_refresh() -> None:
    job = defs().resolve_job_def("refresh")
    steps = set(job.graph.node_dict)

    assert "quality__data_docs" in steps
    assert not {"inbox", "exports__dashboard", "exports__prometheus_metrics"} & steps
