"""The nightly full refresh: rebuilds derived incremental models from scratch to undo any drift.

Models that hold history (`marts.pattern_history`, `marts.pattern_occurrences`) are configured
`full_refresh: false` in dbt_project.yml: the nightly run keeps them incremental, so first
detection dates, resolved patterns and their occurrences survive it. The run takes the refresh
lock like every other refresh (`failmap.refresh_lock`), so it never overlaps one.
"""

from __future__ import annotations

import dagster as dg

from orchestration.defs.automation.jobs import refresh_job
from orchestration.defs.transform.assets import FULL_REFRESH_TAG

nightly_full_refresh = dg.ScheduleDefinition(
    name="nightly_full_refresh",
    job=refresh_job,
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    tags={FULL_REFRESH_TAG: "true"},
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "Every night at 02:00 UTC: ingest, then dbt build --full-refresh (history models are "
        "kept: full_refresh false)."
    ),
)
