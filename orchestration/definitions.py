"""failmap's Dagster code location: assembles the definitions from `defs/`, nothing else.

`defs` is a `@dg.definitions` factory, so importing this module builds nothing: Dagster calls it
when it loads the code location (and `failmap.runtime.code_location` when failmap runs it). It
first makes sure the dbt manifest exists and is current (a fresh checkout has no `target/`),
since the dbt assets are read from it. Built once per process: a run forked from the warm run
worker reuses what the worker built.
"""

from functools import cache

import dagster as dg

from failmap.runtime.dbt_manifest import prepare_manifest
from orchestration.defs.automation.jobs import refresh_job
from orchestration.defs.automation.schedules import nightly_full_refresh
from orchestration.defs.errors.assets import error_assets
from orchestration.defs.exports.assets import build_export_specs
from orchestration.defs.ingestion.assets import ingest_assets
from orchestration.defs.ingestion.external import external_ingestion_specs
from orchestration.defs.ingestion.sensors import inbox_sensor
from orchestration.defs.quality.assets import build_data_docs_asset
from orchestration.defs.quality.checks import build_gx_checks
from orchestration.defs.resources import build_resources
from orchestration.defs.transform.assets import build_dbt_models


@dg.definitions
@cache
def defs() -> dg.Definitions:
    prepare_manifest()
    assets = [*ingest_assets, *error_assets, build_dbt_models()]
    asset_keys = [key for asset in assets for key in asset.keys]
    return dg.Definitions(
        assets=[
            *external_ingestion_specs,
            *assets,
            build_data_docs_asset(asset_keys),
            *build_export_specs(asset_keys),
        ],
        asset_checks=build_gx_checks(asset_keys),
        jobs=[refresh_job],
        sensors=[inbox_sensor],
        schedules=[nightly_full_refresh],
        resources=build_resources(),
        # In-process: half the wall time of the multiprocess executor on 2 cores.
        executor=dg.in_process_executor,
    )
