"""Dagster's instance directory under `$FAILMAP_HOME`, with telemetry off."""

from __future__ import annotations

import json
import os
from pathlib import Path

from failmap.settings import Settings

HEADER = "# Written by failmap."
DAGSTER_YAML = f"""\
{HEADER} Run history, schedules and sensor cursors live in this directory.
telemetry:
  enabled: false
# No "Join the community" pop-up on the first visit: operators open this UI to act.
nux:
  enabled: false
# One refresh at a time: two dbt builds over the same schemas collide. A queued run starts
# within a second of the previous one ending (the default checks every 5 s).
run_queue:
  max_concurrent_runs: 1
  dequeue_interval_seconds: 1
# Runs fork from the warm run worker `failmap up` starts (failmap/runtime/run_worker.py) instead
# of starting a process that imports the code location again; without it, as by default.
run_launcher:
  module: failmap.runtime.run_launcher
  class: WarmRunLauncher
# Dagster's SQLite event log, keeping a connection per file instead of opening one per write
# (failmap/runtime/event_log.py): a refresh writes ~1,350 events. Same files, same schema.
event_log_storage:
  module: failmap.runtime.event_log
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {{event_log_dir}}
"""


def dagster_yaml(home: Path) -> str:
    """The `dagster.yaml` failmap writes into the Dagster instance directory `home`."""
    # A JSON string is a YAML string: any path, quoted and escaped.
    return DAGSTER_YAML.replace("{event_log_dir}", json.dumps(str(home / "history" / "runs")))


def ensure_dagster_home(settings: Settings) -> Path:
    """Create `$FAILMAP_HOME/dagster` (if needed) and point `DAGSTER_HOME` at it.

    A `dagster.yaml` failmap wrote is brought up to date; one a person wrote is left alone.
    """
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or (
        config.read_text(encoding="utf-8").startswith(HEADER)
        and config.read_text(encoding="utf-8") != dagster_yaml(home)
    ):
        config.write_text(dagster_yaml(home), encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home
