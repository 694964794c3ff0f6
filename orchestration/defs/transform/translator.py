"""How dbt nodes appear in Dagster: group by layer, raw sources keyed like the ingest assets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster_dbt import DagsterDbtTranslator

LAYER_GROUPS = {
    "staging": "staging",
    "intermediate": "intermediate",
    "marts": "marts",
    "predictions": "predictions",
}


class FailmapDbtTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "seed":
            return "staging"
        layer = fqn[1] if len(fqn) > 2 else None
        return LAYER_GROUPS.get(layer or "", "marts")
