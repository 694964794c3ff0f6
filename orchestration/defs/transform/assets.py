"""Every dbt model, seed, snapshot and test, materialized by `dbt build`.

Built by a factory, not at import: `@dbt_assets` reads `target/manifest.json`, which the
definitions factory prepares first (a fresh checkout has none).
"""

import os
import shutil
import time
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
# Each run's own dbt target directory (compiled SQL, run_results.json: what a person reads to
# see why a model failed or took long) is kept for the newest runs; older ones are deleted.
KEEP_RUN_TARGETS = 20
# A directory this young may belong to a run of another home that shares the checkout.
RUN_TARGET_GRACE_SECONDS = 3600


# dagster-dbt names a run's directory after the op: `failmap_dbt_models-<run id>-<hash>`.
RUN_TARGET_PREFIX = "failmap_dbt_models-"


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
        prune_run_targets(dbt_project.project_dir / "target", invocation.target_path)

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


def prune_run_targets(
    project_target: Path,
    current: Path,
    keep: int = KEEP_RUN_TARGETS,
    grace_seconds: float = RUN_TARGET_GRACE_SECONDS,
) -> int:
    """Delete the target directories of older runs; the number deleted.

    dagster-dbt gives every run its own `target/<op>-<run>-<hash>/` (about 17 MB at demo size:
    manifest, compiled and run SQL) and never removes it: a sensor refreshing on every dropped
    file filled gigabytes. The newest `keep` stay, as does the current run's and any directory
    changed within `grace_seconds` (a run of another home sharing this checkout may be using it).
    """
    runs = sorted(
        (path for path in project_target.glob(f"{RUN_TARGET_PREFIX}*") if path.is_dir()),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    cutoff = time.time() - grace_seconds
    removed = 0
    for stale in runs[keep:]:
        if stale.resolve() == current.resolve() or stale.stat().st_mtime > cutoff:
            continue
        shutil.rmtree(stale, ignore_errors=True)
        removed += 1
    return removed
