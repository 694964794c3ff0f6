"""The run error models built incrementally equal a full rebuild.

intermediate.int_run_errors_extracted extracts only the runs loaded since its last build, and
intermediate.int_error_messages_classified matches only new messages against the error catalog.
Demo runs are loaded and built; then each change is built incrementally and compared with a
full rebuild (`except` both ways): a new day with a late run for a day built before and
re-delivered runs (one whose only message changes, so the old message is gone; one failed run
re-delivered as succeeded without errors, so its rows are gone); an edit of the catalog's
patterns (every message matched again); another order of var `pipeline_phases`; tables built
before the models kept their new columns (an upgraded home needs no `--full-refresh`).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from failmap import database
from failmap.errors.store import refresh_message_signatures
from tests.dbt.conftest import loaded_database, run_dbt
from tests.dbt.incremental import incremental_versus_rebuild
from tests.dbt.later_runs import load_runs, runs_files, write_later_runs

pytestmark = pytest.mark.slow

START = dt.date(2026, 9, 1)
DAYS = 6
EXTRACTED = {"int_run_errors_extracted": "intermediate.int_run_errors_extracted"}
CLASSIFIED = {"int_error_messages_classified": "intermediate.int_error_messages_classified"}
# The version of each built row: its key and xmin (a rewritten row has a new one).
BUILT_ROWS = """
    select 'run error', run_error_id, xmin::text from intermediate.int_run_errors_extracted
    union all
    select 'message', message, xmin::text from intermediate.int_error_messages_classified
"""
SIGNATURES = "select message, signature_id from raw.error_message_signatures"
# When a message was classified: the start of the dbt run that wrote its row.
STAMPS = ("classified_at",)


def _column(url: str, sql: str, params: list | None = None) -> set:
    with database.connect(url) as conn:
        return {row[0] for row in conn.execute(sql, params or []).fetchall()}


def test_run_error_models_built_incrementally_equal_a_full_rebuild(
    server_url: str, tmp_path: Path
) -> None:
    history = runs_files(tmp_path / "history", DAYS, 3, START)
    url = loaded_database(server_url, history)
    with database.connect(url) as conn:
        refresh_message_signatures(conn)
    target = tmp_path / "target"
    run_dbt(url, ["seed"], target)
    run_dbt(url, ["run", "--select", "+int_error_messages_classified"], target)

    # A new day, a late run of an earlier day, re-delivered runs.
    new_day = runs_files(tmp_path / "new_day", 1, 4, START + dt.timedelta(days=DAYS))
    later = tmp_path / "runs_later.csv"
    touched = write_later_runs(history[0], later)
    with database.connect(url) as conn:
        before = conn.execute(BUILT_ROWS).fetchall()
        signatures_before = set(conn.execute(SIGNATURES).fetchall())
    load_runs(url, [*new_day, later])
    with database.connect(url) as conn:
        regrouped = {m for m, _ in signatures_before - set(conn.execute(SIGNATURES).fetchall())}
    found, after = incremental_versus_rebuild(
        url, EXTRACTED | CLASSIFIED, target, observe=BUILT_ROWS, ignore=STAMPS
    )
    assert found == dict.fromkeys(EXTRACTED | CLASSIFIED, (0, 0))
    # Only the rows of the re-delivered runs, and of the messages gone or given another
    # signature by the grouping engine, were rewritten.
    rewritten = {(kind, key.split("|")[0]) for kind, key, _ in set(before) - set(after)}
    assert rewritten == {
        ("run error", touched["changed run"]),
        ("run error", touched["recovered run"]),
        *(("message", message) for message in regrouped | {touched["gone"]}),
    }
    messages = _column(url, "select message from intermediate.int_error_messages_classified")
    assert touched["gone"] not in messages
    assert {touched["new"], touched["late"]} <= messages
    recovered = _column(
        url,
        "select run_id from intermediate.int_run_errors_extracted where run_id = %s",
        [touched["recovered run"]],
    )
    assert recovered == set()

    # The grouping engine gives a message another signature.
    with database.connect(url) as conn:
        regrouped = conn.execute(
            "update raw.error_message_signatures set signature_id = 'regrouped'"
            " where message ="
            " (select min(message) from intermediate.int_error_messages_classified)"
            " returning message"
        ).fetchone()[0]
    found, _ = incremental_versus_rebuild(url, CLASSIFIED, target, ignore=STAMPS)
    assert found == dict.fromkeys(CLASSIFIED, (0, 0))
    assert _column(
        url,
        "select signature_id from intermediate.int_error_messages_classified where message = %s",
        [regrouped],
    ) == {"regrouped"}

    # The catalog loses the pattern that classified the most messages.
    with database.connect(url) as conn:
        top_pattern = conn.execute(
            "select pattern_id from intermediate.int_error_messages_classified"
            " where pattern_id is not null group by pattern_id order by count(*) desc limit 1"
        ).fetchone()[0]
        conn.execute(
            "delete from staging.error_catalog_patterns where pattern_id = %s", [top_pattern]
        )
    found, _ = incremental_versus_rebuild(url, CLASSIFIED, target, ignore=STAMPS)
    assert found == dict.fromkeys(CLASSIFIED, (0, 0))
    assert top_pattern not in _column(
        url, "select pattern_id from intermediate.int_error_messages_classified"
    )

    # The pipeline's phases in the reverse order.
    phases = ["upload", "encode", "upscale", "generate", "preprocess", "load_model"]
    vars_arg = ("--vars", json.dumps({"pipeline_phases": phases}))
    found, _ = incremental_versus_rebuild(
        url, EXTRACTED | CLASSIFIED, target, vars_arg, ignore=STAMPS
    )
    assert found == dict.fromkeys(EXTRACTED | CLASSIFIED, (0, 0))
    assert _column(
        url,
        "select phase_order from intermediate.int_run_errors_extracted where phase = 'upload'",
    ) == {1}

    # Tables built before these models kept loaded_at and catalog_hash (an upgraded home).
    with database.connect(url) as conn:
        conn.execute("alter table intermediate.int_run_errors_extracted drop column loaded_at")
        conn.execute(
            "alter table intermediate.int_error_messages_classified drop column catalog_hash"
        )
    found, _ = incremental_versus_rebuild(
        url, EXTRACTED | CLASSIFIED, target, vars_arg, ignore=STAMPS
    )
    assert found == dict.fromkeys(EXTRACTED | CLASSIFIED, (0, 0))
