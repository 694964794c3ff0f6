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
from collections import Counter
from pathlib import Path

import pytest

from failmap import database, demo
from failmap.errors.store import refresh_message_signatures
from failmap.ingest import load_files
from tests.dbt.conftest import loaded_database, run_dbt
from tests.dbt.incremental import incremental_versus_rebuild, read_rows, write_rows

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
NEW_MESSAGE = "ValueError: re-delivered run {run_id} names another error"
LATE_MESSAGE = "RuntimeError: a late run of an earlier day"


def _runs_files(folder: Path, days: int, seed: int, start: dt.date) -> list[Path]:
    summary = demo.write_demo_data(folder, days=days, segments_per_day=1000, seed=seed,
                                   start=start)  # fmt: skip
    return [path for path in summary.files if path.name.startswith("runs")]


def _messages(run: dict[str, str]) -> set[str]:
    phase_errors = json.loads(run["phase_errors"]) if run["phase_errors"] else {}
    return {m for m in [run["failure_reason"], *phase_errors.values()] if m}


def _write_later_runs(first_file: Path, out: Path) -> dict[str, str]:
    """Write a later runs file: two re-delivered runs of `first_file` and a late new one;
    returns the messages that are gone and new."""
    header, runs = read_rows(first_file)
    seen = Counter(m for run in runs for m in _messages(run))
    failed = [run for run in runs if run["status"] == "failed" and run["phase_errors"]]
    changed = next(run for run in failed if all(seen[m] == 1 for m in _messages(run)))
    recovered = next(run for run in failed if run is not changed)
    new_message = NEW_MESSAGE.format(run_id=changed["run_id"])
    phase = next(iter(json.loads(changed["phase_errors"])))
    late_start = dt.datetime.fromisoformat(runs[0]["started_at"]) + dt.timedelta(days=1)
    rows = [
        dict(changed, failure_reason=new_message, phase_errors=json.dumps({phase: new_message})),
        dict(recovered, status="succeeded", failure_reason="", phase_errors="", error_code=""),
        dict(
            changed,
            run_id=f"{changed['run_id']}-late",
            started_at=late_start.isoformat(),
            finished_at=(late_start + dt.timedelta(minutes=5)).isoformat(),
            failure_reason=LATE_MESSAGE,
            phase_errors=json.dumps({phase: LATE_MESSAGE}),
        ),
    ]
    write_rows(out, header, rows)
    return {
        "gone": sorted(_messages(changed))[0],
        "new": new_message,
        "late": LATE_MESSAGE,
        "changed run": changed["run_id"],
        "recovered run": recovered["run_id"],
    }


def _load(url: str, files: list[Path]) -> None:
    with database.connect(url) as conn:
        load_files(conn, files)
        refresh_message_signatures(conn)


def _column(url: str, sql: str, params: list | None = None) -> set:
    with database.connect(url) as conn:
        return {row[0] for row in conn.execute(sql, params or []).fetchall()}


def test_run_error_models_built_incrementally_equal_a_full_rebuild(
    server_url: str, tmp_path: Path
) -> None:
    history = _runs_files(tmp_path / "history", DAYS, 3, START)
    url = loaded_database(server_url, history)
    with database.connect(url) as conn:
        refresh_message_signatures(conn)
    target = tmp_path / "target"
    run_dbt(url, ["seed"], target)
    run_dbt(url, ["run", "--select", "+int_error_messages_classified"], target)

    # A new day, a late run of an earlier day, re-delivered runs.
    new_day = _runs_files(tmp_path / "new_day", 1, 4, START + dt.timedelta(days=DAYS))
    later = tmp_path / "runs_later.csv"
    touched = _write_later_runs(history[0], later)
    with database.connect(url) as conn:
        before = conn.execute(BUILT_ROWS).fetchall()
        signatures_before = set(conn.execute(SIGNATURES).fetchall())
    _load(url, [*new_day, later])
    with database.connect(url) as conn:
        regrouped = {m for m, _ in signatures_before - set(conn.execute(SIGNATURES).fetchall())}
    found, after = incremental_versus_rebuild(
        url, EXTRACTED | CLASSIFIED, target, observe=BUILT_ROWS
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
    found, _ = incremental_versus_rebuild(url, CLASSIFIED, target)
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
    found, _ = incremental_versus_rebuild(url, CLASSIFIED, target)
    assert found == dict.fromkeys(CLASSIFIED, (0, 0))
    assert top_pattern not in _column(
        url, "select pattern_id from intermediate.int_error_messages_classified"
    )

    # The pipeline's phases in the reverse order.
    phases = ["upload", "encode", "upscale", "generate", "preprocess", "load_model"]
    vars_arg = ("--vars", json.dumps({"pipeline_phases": phases}))
    found, _ = incremental_versus_rebuild(url, EXTRACTED | CLASSIFIED, target, vars_arg)
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
    found, _ = incremental_versus_rebuild(url, EXTRACTED | CLASSIFIED, target, vars_arg)
    assert found == dict.fromkeys(EXTRACTED | CLASSIFIED, (0, 0))
