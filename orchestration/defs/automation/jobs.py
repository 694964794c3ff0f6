"""The refresh job: ingest every new inbox file, then rebuild and test the dbt models."""

from __future__ import annotations

import dagster as dg

refresh_job = dg.define_asset_job(
    name="refresh",
    selection=dg.AssetSelection.all(),
    description="Ingest new inbox files, then dbt build (models and tests) and quality checks.",
)
