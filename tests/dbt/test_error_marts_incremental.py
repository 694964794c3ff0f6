"""The run error marts built incrementally equal a full rebuild.

marts.run_errors derives again only the runs loaded since its last build, the runs with a
message classified since then, and every run when the error_catalog seed or var
`pipeline_phases` changed. Demo runs are loaded and every error model built; then each change
is built incrementally and compared with a full rebuild of every model (`except` both ways,
every column but the classification stamp): a new day with a late run of an earlier day and
re-delivered runs (one whose message changes, one failed run re-delivered as succeeded without
errors); a signature regrouped; a severity edited in the catalog; a catalog pattern removed;
another order of the phases; tables built before run_errors kept its bookkeeping columns and
before the per-day errors kept what error_signatures sums.

Then the singular test assert_each_failed_run_has_one_fatal_error, which reads no run, still
fails when the invariant breaks: PostgreSQL refuses a second fatal error of a run and a fatal
error of a run that did not fail; a failed run left without one, or a declaration gone, fails it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import psycopg
import pytest

from failmap import database
from failmap.errors.store import refresh_message_signatures
from tests.dbt.conftest import data_test_failures, loaded_database, run_dbt
from tests.dbt.incremental import incremental_versus_rebuild, read_rows, write_rows
from tests.dbt.later_runs import load_runs, runs_files, write_later_runs

pytestmark = pytest.mark.slow

START = dt.date(2026, 9, 1)
DAYS = 6
# Every incremental run error model, and every mart that reads them (tables).
MODELS = {
    "int_run_errors_extracted": "intermediate.int_run_errors_extracted",
    "int_error_messages_classified": "intermediate.int_error_messages_classified",
    "run_errors": "marts.run_errors",
    "int_run_days_aggregated": "intermediate.int_run_days_aggregated",
    "int_run_error_days_aggregated": "intermediate.int_run_error_days_aggregated",
    "int_run_dimensions_aggregated": "intermediate.int_run_dimensions_aggregated",
    "int_run_days_periods_mapped": "intermediate.int_run_days_periods_mapped",
    "error_signatures": "marts.error_signatures",
    "error_summary": "marts.error_summary",
    "phase_error_breakdown": "marts.phase_error_breakdown",
    "error_trends": "marts.error_trends",
    "debug_recommendations": "marts.debug_recommendations",
}
# When a message was classified: the start of the dbt run that wrote its row (and the newest
# of a day's errors).
STAMPS = ("classified_at", "last_classified_at")
# The version of each built row: what it belongs to (a run, or a day of a per-day model), its
# key and xmin (a rewritten row has a new one).
BUILT_ROWS = """
    select run_id, run_error_id, xmin::text from marts.run_errors
    union all
    select 'runs ' || day, status || failed_phase, xmin::text
    from intermediate.int_run_days_aggregated
    union all
    select 'errors ' || day, phase || category || signature_id, xmin::text
    from intermediate.int_run_error_days_aggregated
"""


def _compare(url: str, target: Path, *args: str) -> list[tuple]:
    """Build incrementally and rebuild; assert they are equal; return the built run errors'
    versions right after the incremental build."""
    found, after = incremental_versus_rebuild(
        url, MODELS, target, args, observe=BUILT_ROWS, ignore=STAMPS
    )
    assert found == dict.fromkeys(MODELS, (0, 0))
    return after


def _rewritten(url: str, target: Path, *args: str) -> set[str]:
    """The runs whose built run errors the incremental build rewrote or deleted, and the days
    (`runs <day>`, `errors <day>`) of the per-day models it did (it is then compared with a
    full rebuild, as `_compare`)."""
    with database.connect(url) as conn:
        before = set(conn.execute(BUILT_ROWS).fetchall())
    after = set(_compare(url, target, *args))
    return {owner for owner, _, _ in before - after}


def _load_regrouped(url: str, files: list[Path]) -> set[str]:
    """Load `files`; returns the runs and days (`errors <day>`) with a built error whose
    message the grouping engine gave another signature as it refreshed."""
    signatures = "select message, signature_id from raw.error_message_signatures"
    with database.connect(url) as conn:
        before = set(conn.execute(signatures).fetchall())
    load_runs(url, files)
    with database.connect(url) as conn:
        regrouped = [m for m, _ in before - set(conn.execute(signatures).fetchall())]
        return {
            str(owner)
            for row in conn.execute(
                "select run_id, 'errors ' || started_on from marts.run_errors"
                " where message = any(%s)",
                [regrouped],
            ).fetchall()
            for owner in row
        }


FATAL_ERROR_TEST = "assert_each_failed_run_has_one_fatal_error"


def _fatal_error_problems(url: str, target: Path) -> list[str]:
    """The problems the singular test finds (none when `dbt test` passes it)."""
    return [row[0] for row in data_test_failures(url, FATAL_ERROR_TEST, target)]


def _assert_fatal_errors_checked(url: str, target: Path) -> None:
    """The singular test passes on what was built, and fails (or PostgreSQL refuses the row)
    for each way the invariant can break."""
    assert _fatal_error_problems(url, target) == []
    with database.connect(url) as conn:
        run_id, phase = conn.execute(
            "select run_id, phase from marts.run_errors where is_fatal and phase is not null"
            " order by run_error_id limit 1"
        ).fetchone()
        # A second fatal error of a failed run.
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(
                "insert into marts.run_errors (run_error_id, run_id, phase, message,"
                " error_source, is_fatal, run_status, started_on)"
                " select run_id || '|again', run_id, 'again', message, error_source, is_fatal,"
                " run_status, started_on"
                " from marts.run_errors where run_id = %s and phase = %s",
                [run_id, phase],
            )
        conn.rollback()
        # A fatal error of a run that succeeded.
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                "update marts.run_errors set is_fatal = true where run_error_id ="
                " (select min(run_error_id) from marts.run_errors where run_status = 'succeeded')"
            )
        conn.rollback()
        # A failed run without its fatal error, once the day is counted again.
        conn.execute(
            "update marts.run_errors set is_fatal = false where run_id = %s and is_fatal", [run_id]
        )
        conn.commit()
    run_dbt(url, ["run", "--full-refresh", "--select", "int_run_error_days_aggregated"], target)
    assert _fatal_error_problems(url, target) == ["failed runs and fatal errors differ"]
    run_dbt(url, ["run", "--full-refresh", "--select", "run_errors+"], target)
    assert _fatal_error_problems(url, target) == []
    # The declarations gone.
    with database.connect(url) as conn:
        conn.execute(
            "alter table marts.run_errors drop constraint run_errors_fatal_only_when_failed"
        )
        index = conn.execute(
            "select indexrelid::regclass::text from pg_index"
            " where indrelid = 'marts.run_errors'::regclass and indisunique"
            " and indpred is not null"
        ).fetchone()[0]
        conn.execute(f"drop index {index}")
        # And the unique index on run_error_id (what its `unique` declaration test reads).
        conn.execute(f"drop index {_run_error_id_indexes(conn)[0]}")
    assert sorted(_fatal_error_problems(url, target)) == [
        "no check constraint run_errors_fatal_only_when_failed",
        "no unique index on run_id over the fatal errors",
    ]
    # An incremental build gives an existing table all three again.
    run_dbt(url, ["run", "--select", "run_errors"], target)
    assert _fatal_error_problems(url, target) == []
    with database.connect(url) as conn:
        assert len(_run_error_id_indexes(conn)) == 1
        # PostgreSQL refuses a second row with the same run_error_id.
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(
                "insert into marts.run_errors select * from marts.run_errors"
                " where run_error_id = (select min(run_error_id) from marts.run_errors)"
            )


def _run_error_id_indexes(conn: psycopg.Connection) -> list[str]:
    """marts.run_errors' unique indexes on exactly run_error_id (unique_index macro)."""
    return [
        row[0]
        for row in conn.execute(
            "select idx.indexrelid::regclass::text from pg_index as idx"
            " join pg_attribute as attribute on attribute.attrelid = idx.indrelid"
            " and attribute.attnum = idx.indkey[0]"
            " where idx.indrelid = 'marts.run_errors'::regclass and idx.indisunique"
            " and idx.indpred is null and idx.indnatts = 1"
            " and attribute.attname = 'run_error_id'"
        ).fetchall()
    ]


def _day(run: dict[str, str]) -> dt.date:
    """The UTC day a run of a runs file started."""
    return dt.datetime.fromisoformat(run["started_at"]).astimezone(dt.UTC).date()


def _runs_with(url: str, sql: str, params: list) -> set[str]:
    with database.connect(url) as conn:
        return {row[0] for row in conn.execute(sql, params).fetchall()}


def test_run_error_marts_built_incrementally_equal_a_full_rebuild(
    server_url: str, tmp_path: Path
) -> None:
    history = runs_files(tmp_path / "history", DAYS, 3, START)
    url = loaded_database(server_url, history)
    with database.connect(url) as conn:
        refresh_message_signatures(conn)
    target = tmp_path / "target"
    run_dbt(url, ["seed"], target)
    run_dbt(url, ["run", "--select", "+" + " +".join(MODELS)], target)

    # A new day, a late run of an earlier day, re-delivered runs: only the re-delivered runs'
    # built errors are rewritten (the recovered run's deleted).
    new_day = runs_files(tmp_path / "new_day", 1, 4, START + dt.timedelta(days=DAYS))
    later = tmp_path / "runs_later.csv"
    touched = write_later_runs(history[0], later)
    # Besides the re-delivered runs, those with a message the grouping engine regrouped.
    regrouped = _load_regrouped(url, [*new_day, later])
    days = {START, START + dt.timedelta(days=1)}  # the re-delivered runs' and the late run's
    assert _rewritten(url, target) == {
        touched["changed run"],
        touched["recovered run"],
        *(f"{kind} {day}" for kind in ("runs", "errors") for day in days),
        *regrouped,
    }
    assert (
        _runs_with(
            url, "select run_id from marts.run_errors where run_id = %s", [touched["recovered run"]]
        )
        == set()
    )

    # Another new day and a new run of a built day: no runs file since replaced a built run,
    # so only the runs loaded since are counted and added to their days' built counts (the
    # ledger's answer): of what was built, only that day's counts are rewritten.
    day_after = runs_files(tmp_path / "day_after", 1, 5, START + dt.timedelta(days=DAYS + 1))
    header, runs = read_rows(history[0])
    late_day = START + dt.timedelta(days=3)
    late = next(run for run in runs if run["status"] == "failed" and _day(run) == late_day)
    late_file = tmp_path / "runs_late_again.csv"
    write_rows(late_file, header, [dict(late, run_id=f"{late['run_id']}-again")])
    regrouped = _load_regrouped(url, [*day_after, late_file])
    assert _runs_with(
        url,
        "select rows_replaced from raw.ingested_files where file_name = any(%s)",
        [[day_after[0].name, late_file.name]],
    ) == {0}
    assert _rewritten(url, target) == {f"runs {late_day}", f"errors {late_day}", *regrouped}

    # A run re-delivered on another day: the day it left is counted again from the totals.
    moved = next(
        run
        for run in runs
        if run["status"] == "failed"
        and run["phase_errors"]
        and _day(run) == START + dt.timedelta(days=2)
    )
    started = dt.datetime.fromisoformat(moved["started_at"])
    moved_file = tmp_path / "runs_moved.csv"
    write_rows(
        moved_file,
        header,
        [
            dict(
                moved,
                started_at=(started + dt.timedelta(days=2)).isoformat(),
                finished_at=(started + dt.timedelta(days=2, minutes=5)).isoformat(),
            )
        ],
    )
    left = started.astimezone(dt.UTC).date()
    arrived = left + dt.timedelta(days=2)
    regrouped = _load_regrouped(url, [moved_file])
    assert _rewritten(url, target) == {
        moved["run_id"],
        *(f"{kind} {day}" for kind in ("runs", "errors") for day in (left, arrived)),
        *regrouped,
    }

    # The grouping engine gives a message another signature: only its runs are rewritten.
    with database.connect(url) as conn:
        message = conn.execute(
            "update raw.error_message_signatures set signature_id = 'regrouped'"
            " where message = (select min(message) from marts.run_errors where message != '')"
            " returning message"
        ).fetchone()[0]
    runs = _runs_with(url, "select run_id from marts.run_errors where message = %s", [message])
    days = _runs_with(url, "select started_on from marts.run_errors where message = %s", [message])
    assert _rewritten(url, target) == runs | {f"errors {day}" for day in days}
    assert _runs_with(
        url, "select signature_id from marts.run_errors where message = %s", [message]
    ) == {"regrouped"}

    # The catalog gives the most frequent category another severity.
    with database.connect(url) as conn:
        category, severity = conn.execute(
            "select category, severity from marts.run_errors where category != 'unknown'"
            " group by category, severity order by count(*) desc limit 1"
        ).fetchone()
        edited = "low" if severity != "low" else "high"
        conn.execute(
            "update staging.error_catalog set severity = %s where category = %s",
            [edited, category],
        )
    _compare(url, target)
    assert _runs_with(
        url, "select severity from marts.run_errors where category = %s", [category]
    ) == {edited}

    # The catalog loses the pattern that classified the most errors.
    with database.connect(url) as conn:
        top_pattern = conn.execute(
            "select pattern_id from marts.run_errors where pattern_id is not null"
            " group by pattern_id order by count(*) desc limit 1"
        ).fetchone()[0]
        conn.execute(
            "delete from staging.error_catalog_patterns where pattern_id = %s", [top_pattern]
        )
    _compare(url, target)
    assert top_pattern not in _runs_with(url, "select pattern_id from marts.run_errors", [])

    # The pipeline's phases in the reverse order.
    phases = ["upload", "encode", "upscale", "generate", "preprocess", "load_model"]
    vars_arg = ("--vars", json.dumps({"pipeline_phases": phases}))
    _compare(url, target, *vars_arg)
    assert _runs_with(
        url, "select phase_order from marts.run_errors where phase = %s", ["upload"]
    ) == {1}

    # A table built before run_errors kept its bookkeeping columns (an upgraded home).
    with database.connect(url) as conn:
        for column in ("loaded_at", "classified_at", "settings_hash"):
            conn.execute(f"alter table marts.run_errors drop column {column}")
        conn.execute(
            "alter table intermediate.int_error_messages_classified drop column classified_at"
        )
        # Before the per-day errors kept what error_signatures sums.
        for column in ("signature_run_count", "first_started_at", "last_started_at"):
            conn.execute(
                f"alter table intermediate.int_run_error_days_aggregated drop column {column}"
            )
    _compare(url, target, *vars_arg)

    _assert_fatal_errors_checked(url, target)
