"""Dagster's instance directory under `$FAILMAP_HOME`, with telemetry off."""

from __future__ import annotations

import os
from pathlib import Path

from failmap.settings import Settings

DAGSTER_YAML = """\
# Written by failmap. Run history, schedules and sensor cursors live in this directory.
telemetry:
  enabled: false
# One refresh at a time: two dbt builds over the same schemas collide. A queued run starts
# within a second of the previous one ending (the default checks every 5 s).
run_queue:
  max_concurrent_runs: 1
  dequeue_interval_seconds: 1
"""


def ensure_dagster_home(settings: Settings) -> Path:
    """Create `$FAILMAP_HOME/dagster` (if needed) and point `DAGSTER_HOME` at it."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home
