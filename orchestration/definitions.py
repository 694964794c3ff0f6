"""failmap's Dagster code location: assembles the definitions from `defs/`, nothing else."""

import dagster as dg

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
from orchestration.defs.transform.assets import failmap_dbt_models

assets = [*ingest_assets, *error_assets, failmap_dbt_models]
asset_keys = [key for asset in assets for key in asset.keys]

defs = dg.Definitions(
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
