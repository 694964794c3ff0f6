"""The contract marts' rules are constraints of their tables, checked as each row is written.

A mart with `contract: enforced: true` is created with its column types and constraints, then
filled; a row that breaks a rule (a null key, a second row with the same key, a verdict outside
its values) fails the model's build, and the mart of the last good build stays what the
dashboard reads. Data tests ran after the new table had replaced the old one, and each was a
dbt node and a Dagster asset check of its own (52 of them, every refresh). These tests read the
rules declared in the manifest and find each in the catalog of the demo database (every model
built by dbt), and keep the rules out of data tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

from failmap import database
from tests.streamlit_app.dashboard_database import copy_of, demo_template

MANIFEST = Path(__file__).resolve().parents[2] / "dbt_project" / "target" / "manifest.json"
RULE_TESTS = {"not_null", "not_null_columns", "unique", "accepted_values"}


@pytest.fixture(scope="module")
def demo_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return copy_of(server_url, demo_template(server_url, tmp_path_factory.mktemp("constraints")))


def contract_tables() -> dict[str, dict[str, Any]]:
    """Models built as tables under an enforced contract, by unique id."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and node["config"]["materialized"] == "table"
        and node["config"]["contract"]["enforced"]
    }


def declared(node: dict[str, Any]) -> tuple[set[str], list[str], int, int]:
    """Not-null columns, primary key columns, and the numbers of check and unique constraints
    of a model."""
    not_null: set[str] = set()
    key: list[str] = []
    checks = unique = 0
    for name, column in node["columns"].items():
        for constraint in column.get("constraints", []):
            if constraint["type"] in ("not_null", "primary_key"):
                not_null.add(name)
            if constraint["type"] == "primary_key":
                key = [name]
            checks += constraint["type"] == "check"
            unique += constraint["type"] == "unique"
    for constraint in node.get("constraints", []):
        if constraint["type"] == "primary_key":
            key = list(constraint["columns"])
            not_null.update(key)
        checks += constraint["type"] == "check"
    return not_null, key, checks, unique


def catalog(url: str, schema: str, table: str) -> tuple[set[str], list[str], int, int]:
    """The same, as the built table declares them."""
    relation = f"{schema}.{table}"
    with database.connect(url) as conn:
        not_null = {
            row[0]
            for row in conn.execute(
                "select attname from pg_catalog.pg_attribute"
                " where attrelid = to_regclass(%s) and attnum > 0 and not attisdropped"
                " and attnotnull",
                (relation,),
            )
        }
        key = [
            row[0]
            for row in conn.execute(
                "select attribute.attname"
                " from pg_catalog.pg_index as idx"
                " cross join lateral unnest(idx.indkey::int2[]) with ordinality as k (attnum, n)"
                " join pg_catalog.pg_attribute as attribute"
                "   on attribute.attrelid = idx.indrelid and attribute.attnum = k.attnum"
                " where idx.indrelid = to_regclass(%s) and idx.indisprimary"
                " order by k.n",
                (relation,),
            )
        ]
        counts = conn.execute(
            "select count(*) filter (where contype = 'c'), count(*) filter (where contype = 'u')"
            " from pg_catalog.pg_constraint where conrelid = to_regclass(%s)",
            (relation,),
        ).fetchone()
    checks, unique = counts if counts else (0, 0)
    return not_null, key, checks, unique


def test_every_contract_mart_declares_its_rules() -> None:
    tables = contract_tables()
    assert len(tables) >= 20
    keyless = [node["name"] for node in tables.values() if not declared(node)[1]]
    # data_freshness is one row; the two rate models keep the unique index of their `indexes`
    # config (read by enforced_by_declaration), as the incremental models do.
    assert sorted(keyless) == [
        "background_rates",
        "configuration_rates",
        "data_freshness",
    ]


def test_the_built_marts_carry_the_declared_constraints(demo_url: str) -> None:
    checked = 0
    for node in contract_tables().values():
        want = declared(node)
        got = catalog(demo_url, node["schema"], node["alias"])
        assert got[0] >= want[0], f"{node['name']}: not null in dbt, not in the table"
        assert got[1] == want[1], f"{node['name']}: primary key"
        assert got[2] >= want[2], f"{node['name']}: check constraints"
        assert got[3] >= want[3], f"{node['name']}: unique constraints"
        checked += bool(want[0])
    assert checked >= 20


def test_a_row_breaking_a_rule_is_refused(demo_url: str) -> None:
    with database.connect(demo_url) as conn:
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("update marts.failure_patterns set status = 'gone'")
        conn.rollback()
        with pytest.raises(psycopg.errors.NotNullViolation):
            conn.execute("update marts.change_events set verdict = null")
        conn.rollback()
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("update marts.daily_failure_trends set day = date '2026-01-01'")


def test_contract_tables_keep_their_rules_out_of_data_tests() -> None:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    tables = contract_tables()
    as_tests = sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node.get("attached_node") in tables
        and (node.get("test_metadata") or {}).get("name") in RULE_TESTS
    )
    assert as_tests == [], "declare these as constraints of the model's contract"
