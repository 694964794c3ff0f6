"""A read layer row type that mirrors a whole mart holds every column of the mart's contract, so a
column added to the mart (its YAML) fails here until it is added to the read layer, and from
there reaches every surface."""

from __future__ import annotations

import pytest
import yaml

from failmap.read.core import Row
from failmap.read.data import DataFreshness, Kpi
from failmap.read.errors import Recommendation
from failmap.read.patterns import FailurePattern
from failmap.read.trends import ChangeEvent
from tests.conftest import REPO_ROOT

WHOLE_MART_ROWS: dict[str, type[Row]] = {
    "failure_patterns": FailurePattern,
    "change_events": ChangeEvent,
    "debug_recommendations": Recommendation,
    "data_freshness": DataFreshness,
    "kpis": Kpi,
}


def mart_columns() -> dict[str, list[str]]:
    """Columns of every mart as its YAML documents them (the enforced contracts)."""
    columns = {}
    for path in sorted((REPO_ROOT / "dbt_project" / "models" / "marts").rglob("*.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
            columns[model["name"]] = [column["name"] for column in model.get("columns", [])]
    return columns


@pytest.mark.parametrize("mart", WHOLE_MART_ROWS)
def test_row_type_has_every_column_of_its_mart(mart: str) -> None:
    documented = mart_columns()[mart]
    fields = list(WHOLE_MART_ROWS[mart].model_fields)
    assert set(documented) - set(fields) == set(), f"add them to {WHOLE_MART_ROWS[mart].__name__}"
    assert set(fields) - set(documented) == set(), f"not columns of marts.{mart}"


@pytest.mark.parametrize("mart", WHOLE_MART_ROWS)
def test_the_query_selects_every_field_of_its_row_type(mart: str) -> None:
    query = {
        "failure_patterns": "failure_patterns",
        "change_events": "change_events",
        "debug_recommendations": "error_recommendations",
        "data_freshness": "data_freshness",
        "kpis": "kpis",
    }[mart]
    text = (REPO_ROOT / "failmap" / "read" / "sql" / f"{query}.sql").read_text(encoding="utf-8")
    for field in WHOLE_MART_ROWS[mart].model_fields:
        assert f"{mart}.{field}," in text or f"{mart}.{field}\n" in text, field
