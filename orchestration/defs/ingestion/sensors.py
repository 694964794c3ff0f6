"""The inbox sensor: a new or changed file in the inbox starts a refresh run."""

import hashlib
import json
from pathlib import Path

import dagster as dg
import psycopg

from failmap import database
from failmap.ingest import pending_files
from failmap.ingest.loader import SEEN, file_sha256, unchanged_since_ledgered
from failmap.settings import load_settings
from orchestration.defs.automation.jobs import refresh_job

# Dagster's sensor daemon looks at sensors every 5 s. A minimum interval of 5 s made it skip
# every other look (a tick is recorded a moment after the look starts, so the next look comes
# just under 5 s later): files waited up to 10 s. Below 5, every look evaluates the sensor.
SENSOR_INTERVAL_SECONDS = 1


def inbox_fingerprints(inbox_files: list) -> dict[str, str]:
    """name -> size and modification time: cheap to read, changes when a file is rewritten."""
    return {
        path.name: f"{stat.st_size}:{stat.st_mtime_ns}"
        for path in inbox_files
        if (stat := path.stat())
    }


def already_ledgered(paths: list[Path]) -> set[str]:
    """Names of the files whose content the ledger counts as seen: loading them is a no-op.

    A file rejected only for its name does not count: renamed, it must load. Right after
    `failmap up` every inbox file is new to the sensor, though the start-up refresh
    loaded them all; without this the sensor would start a refresh that changes nothing, and a
    file dropped meanwhile would wait behind it. When the database cannot say, nothing is
    assumed loaded.
    """
    try:
        url = database.resolve_database_url(load_settings(), start=False)
        with database.connect(url) as conn:
            # Files as they were when ledgered are known without reading them; the rest are
            # hashed (after `failmap up`, that was every file of the inbox, read whole).
            unchanged = {path.name for path in unchanged_since_ledgered(conn, paths)}
            digests = {path.name: file_sha256(path) for path in paths if path.name not in unchanged}
            rows = conn.execute(
                f"select sha256 from raw.ingested_files where sha256 = any(%s) and {SEEN}",  # noqa: S608
                [list(digests.values())],
            ).fetchall()
    except (database.DatabaseUnreachable, psycopg.Error, OSError):
        return set()
    loaded = {row[0] for row in rows}
    return unchanged | {name for name, digest in digests.items() if digest in loaded}


@dg.sensor(
    job=refresh_job,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a refresh when files appear or change in the inbox (FAILMAP_INBOX).",
)
def inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Compare the inbox with the files seen before (the cursor, kept across restarts)."""
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    links: list[str] = []
    current = inbox_fingerprints(pending_files(load_settings().inbox, log=links.append))
    new = {name: print_ for name, print_ in current.items() if seen.get(name) != print_}
    if not new:
        # Said in the skip reason (shown per tick in the UI), not logged each second.
        ignored = f"; ignored: {'; '.join(links)}" if links else ""
        return dg.SkipReason(f"no new files in the inbox{ignored}")
    inbox = load_settings().inbox
    if not set(new) - already_ledgered([inbox / name for name in new]):
        return dg.SensorResult(
            skip_reason=f"{len(new)} new files, all loaded already (same content in the ledger)",
            cursor=json.dumps(current, sort_keys=True),
        )
    run_key = hashlib.sha256(json.dumps(sorted(new.items())).encode()).hexdigest()[:16]
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=run_key, tags={"failmap/new_files": str(len(new))})],
        cursor=json.dumps(current, sort_keys=True),
    )
