"""The inbox sensor: a new or changed file in the inbox starts a refresh run."""

import hashlib
import json

import dagster as dg

from failmap.ingest import pending_files
from failmap.settings import load_settings
from orchestration.defs.automation.jobs import refresh_job

SENSOR_INTERVAL_SECONDS = 5


def inbox_fingerprints(inbox_files: list) -> dict[str, str]:
    """name -> size and modification time: cheap to read, changes when a file is rewritten."""
    return {
        path.name: f"{stat.st_size}:{stat.st_mtime_ns}"
        for path in inbox_files
        if (stat := path.stat())
    }


@dg.sensor(
    job=refresh_job,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a refresh when files appear or change in the inbox (FAILMAP_INBOX).",
)
def inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Compare the inbox with the files seen before (the cursor, kept across restarts)."""
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    current = inbox_fingerprints(pending_files(load_settings().inbox))
    new = {name: print_ for name, print_ in current.items() if seen.get(name) != print_}
    if not new:
        return dg.SkipReason("no new files in the inbox")
    run_key = hashlib.sha256(json.dumps(sorted(new.items())).encode()).hexdigest()[:16]
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=run_key, tags={"failmap/new_files": str(len(new))})],
        cursor=json.dumps(current, sort_keys=True),
    )
