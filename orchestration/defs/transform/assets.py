"""Every dbt model, seed, snapshot and test, materialized by `dbt build`.

Built by a factory, not at import: `@dbt_assets` reads `target/manifest.json`, which the
definitions factory prepares first (a fresh checkout has none).
"""

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from failmap.runtime.refresh import FULL_REFRESH_TAG
from orchestration.defs.resources import FailmapResource
from orchestration.defs.transform.project import dbt_project
from orchestration.defs.transform.translator import FailmapDbtTranslator

# dbt unit tests check SQL logic on fixed given/expect rows: no delivered file can change their
# outcome, so they run with the code (tests/dbt/test_unit_tests.py, CI), not in every refresh.
# Data tests stay: they judge the data and stop the models downstream of a failure.
BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test"]


def build_dbt_models() -> dg.AssetsDefinition:
    """The dbt assets, read from the prepared manifest."""

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=FailmapDbtTranslator(),
    )
    def failmap_dbt_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, failmap: FailmapResource
    ) -> Iterator[Any]:
        """Staging, intermediate and mart models of the dbt project, with their data tests.

        dbt's profile reads the connection from its subprocess's environment, which the
        `failmap` resource publishes for the run (`FailmapResource.yield_for_execution`).
        """
        args = list(BUILD_ARGS)
        if context.run.tags.get(FULL_REFRESH_TAG) == "true":
            args.append("--full-refresh")
        yield from dbt.cli(args, context=context).stream()

    return failmap_dbt_models
