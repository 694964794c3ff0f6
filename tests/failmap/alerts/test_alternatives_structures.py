"""`failmap check` alternatives on data with nested values (failmap.demo.structures).

suite-a records a tool version (LoRA) on every test, suite-b never does. A configuration that
fails in suite-a with library version v03 (100 %) is better run in suite-b, which means without
a tool version: a swap of the workflow alone (keeping the tool version) has no data at all.
"""

from __future__ import annotations

import pytest

from failmap.alerts import check_configuration
from failmap.demo.structures import STRUCTURES, dataset_kind, write_structures_data
from tests.dbt.conftest import loaded_database, run_dbt


@pytest.fixture(scope="module")
def structures_alerts_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("structures_alerts")
    path = write_structures_data(tmp / "inbox")
    url = loaded_database(server_url, [path])
    run_dbt(url, ["run", "--select", "+prediction_parameters", "+failure_patterns"], tmp / "target")
    return url


def _check(url: str, lora: str, model: str) -> object:
    return check_configuration(
        url,
        workflow=STRUCTURES.broken_workflow,
        model=model,
        lora=lora,
        character="d01",
        scene_type=dataset_kind("d01"),
        segment_position=1,
        log=False,
    )


def test_switching_the_suite_is_offered_with_the_tool_version_it_implies(
    structures_alerts_url: str,
) -> None:
    result = _check(structures_alerts_url, STRUCTURES.nested_best_lora, STRUCTURES.broken_model)
    workflows = [a for a in result.alternatives if a.dimension == "workflow"]
    assert [a.value for a in workflows] == [STRUCTURES.regressed_workflow], result.alternatives
    assert "with no LoRA" in workflows[0].message


def test_a_configuration_blamed_on_its_tool_version_is_offered_another(
    structures_alerts_url: str,
) -> None:
    result = _check(structures_alerts_url, "t2", "v01")
    loras = [a for a in result.alternatives if a.dimension == "lora"]
    assert [a.value for a in loras] == [STRUCTURES.nested_best_lora], result.alternatives
