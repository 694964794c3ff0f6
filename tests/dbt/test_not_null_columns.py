"""`not_null_columns`: a model's `not null` rules asked in one read, failing per column.

The per-column `not_null` tests (228 of them) were folded into one test per model. These tests
show the folded test still catches a null in any of its columns, says which columns and how
many rows, and that no plain per-column `not_null` test is left to grow the build again.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from failmap import database
from failmap.dbt_invoke import DbtFailed, invoke_dbt
from tests.dbt.conftest import new_database, run_dbt

RUN_DAYS_TEST = "not_null_int_run_days_aggregated"


def _built_with(server_url: str, tmp_path: Path, rows: list[tuple[object, ...]]) -> str:
    """A new database with the run-day model built (empty), then these rows inserted into it
    (day, status, run_count, last_loaded_at)."""
    url = new_database(server_url)
    run_dbt(
        url,
        [
            "build",
            "--select",
            "+int_run_days_aggregated",
            "--exclude-resource-type",
            "test",
            "unit_test",
        ],
        tmp_path,
    )
    with database.connect(url) as conn, conn.cursor() as cur:
        cur.executemany(
            "insert into intermediate.int_run_days_aggregated"
            " (day, status, run_count, last_loaded_at) values (%s, %s, %s, %s)",
            rows,
        )
    return url


def test_a_null_fails_naming_its_columns(server_url: str, tmp_path: Path) -> None:
    url = _built_with(
        server_url,
        tmp_path,
        [
            ("2026-01-01", "succeeded", 3, "2026-01-02T00:00:00Z"),
            ("2026-01-02", None, 2, None),
            ("2026-01-03", None, 1, "2026-01-04T00:00:00Z"),
        ],
    )
    with pytest.raises(DbtFailed, match=RUN_DAYS_TEST):
        invoke_dbt(["test", "--select", RUN_DAYS_TEST], url=url, target_path=tmp_path)

    compiled = next((tmp_path / "compiled").rglob(f"{RUN_DAYS_TEST}.sql")).read_text()
    with database.connect(url) as conn:
        failing = conn.execute(compiled).fetchall()
    assert sorted(failing) == [("last_loaded_at", 1), ("status", 2)]


def test_it_passes_without_nulls(server_url: str, tmp_path: Path) -> None:
    url = _built_with(
        server_url,
        tmp_path,
        [("2026-01-01", "succeeded", 3, "2026-01-02T00:00:00Z")],
    )
    result = run_dbt(url, ["test", "--select", RUN_DAYS_TEST], tmp_path)
    assert [r.status for r in result.results if r.node.resource_type == "test"] == ["pass"]


def test_no_plain_per_column_not_null_test_is_left(tmp_path: Path) -> None:
    invoke_dbt(["parse"], target_path=tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    per_column = [
        n["name"]
        for n in tests
        if (n.get("test_metadata") or {}).get("name") == "not_null" and not n["config"]["where"]
    ]
    assert per_column == [], "fold these into the model's not_null_columns test"
    folded = {
        n["attached_node"]: n["test_metadata"]["kwargs"]["columns"]
        for n in tests
        if (n.get("test_metadata") or {}).get("name") == "not_null_columns"
    }
    assert "run_count" in folded["model.failmap.int_run_days_aggregated"]
    assert len(folded) > 40
