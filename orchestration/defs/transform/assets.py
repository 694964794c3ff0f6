"""Every dbt model, seed, snapshot and test, materialized by `dbt build`.

Built by a factory, not at import: `@dbt_assets` reads `target/manifest.json`, which the
definitions factory prepares first (a fresh checkout has none).
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from failmap.runtime import parse_ahead
from failmap.runtime.refresh import FULL_REFRESH_TAG
from orchestration.defs.resources import FailmapResource
from orchestration.defs.transform.project import dbt_project
from orchestration.defs.transform.translator import FailmapDbtTranslator

# dbt unit tests check SQL logic on fixed given/expect rows: no delivered file can change their
# outcome, so they run with the code (tests/dbt/test_unit_tests.py, CI), not in every refresh.
# Data tests stay: they judge the data and stop the models downstream of a failure.
BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test"]
PARTIAL_PARSE_FILE = parse_ahead.PARSE_FILE


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
        invocation = dbt.cli(args, context=context)
        yield from invocation.stream()
        keep_partial_parse(invocation.target_path, dbt_project.project_dir / "target")

    return failmap_dbt_models


def keep_partial_parse(run_target: Path, project_target: Path) -> bool:
    """Make this run's `partial_parse.msgpack` the one the next run starts from; True if copied.

    dagster-dbt copies `target/partial_parse.msgpack` into each run's own target directory and
    leaves dbt's updated copy there. dbt discards a partial parse made under another profile
    (the embedded server's socket directory is part of it, and differs per home; `dbt parse`
    run by a test or a person writes one under theirs), and then parses the whole project
    again: 3-4 s of every refresh. The copy is written aside and renamed, so a run reading it
    at the same moment sees the old file or the new one, whole.
    """
    produced = run_target / PARTIAL_PARSE_FILE
    if not produced.exists():
        return False
    project_target.mkdir(parents=True, exist_ok=True)
    staged = project_target / f".{PARTIAL_PARSE_FILE}.{os.getpid()}"
    shutil.copyfile(produced, staged)
    os.replace(staged, project_target / PARTIAL_PARSE_FILE)
    # The next refresh of this home then needs no parse ahead (failmap.runtime.parse_ahead).
    parse_ahead.record_made_for(os.environ, project_target)
    return True
