"""What reads the marts outside Dagster, declared so the lineage ends where people look.

Neither is materialized by a run: the dashboard and the metrics endpoint query the marts live.
Declaring them shows, in the Dagster UI, which marts each surface depends on.
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

DASHBOARD_URL = "http://127.0.0.1:8501"
METRICS_URL = "http://127.0.0.1:9464/metrics"


def build_export_specs(mart_keys: Iterable[dg.AssetKey]) -> list[dg.AssetSpec]:
    """The dashboard and the Prometheus endpoint, downstream of every mart."""
    marts = sorted({key for key in mart_keys if key.path[0] == "marts"}, key=str)
    return [
        dg.AssetSpec(
            key=dg.AssetKey(["exports", "dashboard"]),
            group_name="exports",
            kinds={"streamlit"},
            deps=marts,
            description=(
                "The creators' Streamlit dashboard (`failmap up`): reads the marts and writes only "
                "app.* (fixes, notes), connected as the least-privileged role failmap_dashboard."
            ),
            metadata={"url": dg.MetadataValue.url(DASHBOARD_URL)},
        ),
        dg.AssetSpec(
            key=dg.AssetKey(["exports", "prometheus_metrics"]),
            group_name="exports",
            kinds={"prometheus"},
            deps=marts,
            description=(
                "Prometheus endpoint (`failmap metrics`): catalog hits and misses, recoveries, "
                "surfaced patterns by severity, failure rate, freshness and quarantined rows, "
                "computed from the marts at each scrape. Alert rules: monitoring/alert_rules.yml."
            ),
            metadata={"url": dg.MetadataValue.url(METRICS_URL)},
        ),
    ]
