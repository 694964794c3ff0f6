"""The marts carry their dbt descriptions as database comments; the pipeline's inner models do not.

People read the marts with psql or a BI tool, which show table and column comments: every mart
built as a table says what it holds, as in dbt docs. Staging and intermediate models are built
without comments (`persist_docs` only on marts): writing them cost a catalog query and a
statement per model at every refresh, for tables nobody outside the pipeline reads. Read on the
dashboard tests' demo database (every model built by dbt).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from failmap import database
from tests.streamlit_app.dashboard_database import copy_of, demo_template

MANIFEST = Path(__file__).resolve().parents[2] / "dbt_project" / "target" / "manifest.json"


@pytest.fixture(scope="module")
def demo_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return copy_of(server_url, demo_template(server_url, tmp_path_factory.mktemp("comments")))


def documented_models(folder: str) -> dict[str, dict]:
    """Models under models/<folder>/ that dbt builds as tables, by relation name."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return {
        node["alias"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["fqn"][1] == folder
        and node["config"]["materialized"] in ("table", "incremental")
    }


def comments(url: str, schema: str) -> dict[str, tuple[str | None, dict[str, str | None]]]:
    """Each table's comment and its columns' comments in `schema`."""
    with database.connect(url) as conn:
        rows = conn.execute(
            """
            select c.relname, obj_description(c.oid, 'pg_class'), a.attname,
                   col_description(c.oid, a.attnum)
            from pg_class as c
            join pg_namespace as n on n.oid = c.relnamespace
            join pg_attribute as a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
            where n.nspname = %s and c.relkind in ('r', 'p')
            """,
            (schema,),
        ).fetchall()
    found: dict[str, tuple[str | None, dict[str, str | None]]] = {}
    for table, table_comment, column, column_comment in rows:
        found.setdefault(table, (table_comment, {}))[1][column] = column_comment
    return found


def test_every_mart_table_and_column_has_its_description(demo_url: str) -> None:
    marts = documented_models("marts")
    found = comments(demo_url, "marts")
    assert len(marts) > 10
    for name, node in marts.items():
        table_comment, column_comments = found[name]
        assert node["description"].strip(), f"{name} has no description in its YAML"
        assert (table_comment or "").strip() == node["description"].strip(), name
        for column, spec in node["columns"].items():
            if spec.get("description", "").strip():
                assert (column_comments[column] or "").strip() == spec["description"].strip(), (
                    f"{name}.{column}"
                )


def test_intermediate_tables_are_built_without_comments(demo_url: str) -> None:
    intermediate = documented_models("intermediate")
    found = comments(demo_url, "intermediate")
    built = [name for name in intermediate if name in found]
    assert len(built) > 10
    assert [name for name in built if found[name][0] is not None] == []
