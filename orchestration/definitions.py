"""failmap's Dagster code location: assembles the definitions from `defs/`, nothing else."""

import dagster as dg

from orchestration.defs.automation.jobs import refresh_job
from orchestration.defs.automation.schedules import nightly_full_refresh
from orchestration.defs.errors.assets import error_assets
from orchestration.defs.ingestion.assets import ingest_assets
from orchestration.defs.ingestion.sensors import inbox_sensor
from orchestration.defs.resources import build_resources
from orchestration.defs.transform.assets import failmap_dbt_models

defs = dg.Definitions(
    assets=[*ingest_assets, failmap_dbt_models, *error_assets],
    jobs=[refresh_job],
    sensors=[inbox_sensor],
    schedules=[nightly_full_refresh],
    resources=build_resources(),
    # In-process: half the wall time of the multiprocess executor on 2 cores.
    executor=dg.in_process_executor,
)
