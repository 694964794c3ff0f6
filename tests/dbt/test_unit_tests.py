"""Every dbt unit test of the project passes.

The refresh (sensor, schedule, `failmap refresh`) builds with `--exclude-resource-type
unit_test`: unit tests check SQL logic against fixed given/expect rows, so a new data file cannot
change their outcome, and they belong with the code, here and in CI. This test is where they run.
"""

from __future__ import annotations

import json
from pathlib import Path

from orchestration.defs.transform.assets import BUILD_ARGS
from tests.dbt.conftest import DBT_PROJECT, run_dbt


def _unit_tests_in_manifest() -> set[str]:
    manifest = json.loads((DBT_PROJECT / "target" / "manifest.json").read_text())
    return set(manifest["unit_tests"])


def test_every_dbt_unit_test_passes(module_database: str, dbt_target: Path) -> None:
    # Unit tests read their inputs' columns from the database: build seeds and models first.
    run_dbt(module_database, ["build", "--exclude-resource-type", "test", "unit_test"], dbt_target)
    results = run_dbt(module_database, ["test", "--select", "test_type:unit"], dbt_target)
    unit_results = [r for r in results.results if str(r.node.resource_type) == "unit_test"]
    ran = {result.node.unique_id for result in unit_results}
    assert ran == _unit_tests_in_manifest()
    assert ran, "the project has unit tests: none ran"
    assert {str(result.status) for result in unit_results} == {"pass"}


def test_the_refresh_build_selects_data_tests_but_no_unit_tests(
    module_database: str, dbt_target: Path
) -> None:
    command, *flags = BUILD_ARGS
    assert command == "build"
    nodes = run_dbt(module_database, ["ls", *flags, "--output", "json"], dbt_target)
    kinds = {json.loads(node)["resource_type"] for node in nodes}
    assert {"model", "test", "seed"} <= kinds
    assert "unit_test" not in kinds
