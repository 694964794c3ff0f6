"""The configuration check, from the core: `failmap.alerts.check_configuration`.

The page only shows what the core returns (severity, predicted rate and interval, matching
patterns with their fixes, alternatives) as plain data; the check runs on the dashboard's own
connection, so its row in `app.alert_log` is written by the least-privileged role.
"""

from __future__ import annotations

from typing import Any

from failmap.alerts import check_configuration as core_check_configuration
from lib.connection import engine


def check_configuration(configuration: dict[str, Any], segments: int | None) -> dict[str, Any]:
    """Run the core's check for one configuration and return its result as plain data."""
    result = core_check_configuration(
        engine(), **configuration, segments=segments, source="dashboard"
    )
    return result.model_dump(mode="python")
