"""marts.pattern_occurrences built incrementally holds, for every surfaced pattern, the rows a
build from scratch holds.

The model adds each covered pattern's failing segments loaded since its coverage and rebuilds
in full only the patterns it cannot extend (macros/patterns/pattern_occurrences_coverage.sql).
Demo data is loaded and built; then, after each change, the model is built incrementally, set
aside, built from scratch and the surfaced patterns' rows compared (`except` both ways): a new
day with a late failed check for an old segment (the rows of old segments must not be
rewritten), re-deliveries (an outcome flipped, checks moved between segments, a segment
emptied, a pattern's only failed check moved away), patterns resolved while two days load and
then surfacing again, a window pattern now surfacing over the whole history, a full refresh
(every surfaced pattern rewritten) and a home whose table predates the coverage.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import psycopg
import pytest

from failmap import database, demo
from failmap.ingest import load_files
from tests.dbt.conftest import loaded_database, run_dbt
from tests.dbt.incremental import (
    GENERATION,
    read_rows,
    write_late_check,
    write_redeliveries,
    write_rows,
)

pytestmark = pytest.mark.slow

START = dt.date(2026, 9, 1)
DAYS = 8
SEGMENTS_PER_DAY = 500
SELECTION = ["--select", "+pattern_occurrences"]
OCCURRENCES = "marts.pattern_occurrences"
COVERAGE = "marts.pattern_occurrences_coverage"
SURFACED = "select pattern_key from intermediate.int_patterns_surfaced where verdict = 'surfaced'"
# Nothing surfaces when a pattern must fail 1,000 times as often as the rest.
NOTHING_SURFACES = ["--vars", json.dumps({"min_risk_ratio": 1000})]


def _build(url: str, target: Path, args: list[str] | None = None) -> None:
    run_dbt(url, ["run", *SELECTION, *(args or [])], target)


def _surfaced_rows_differ(conn: psycopg.Connection, left: str, right: str) -> int:
    return conn.execute(
        f"select count(*) from (select * from {left} where pattern_key in ({SURFACED})"  # noqa: S608
        f" except select * from {right} where pattern_key in ({SURFACED})) as d"
    ).fetchone()[0]


def _versus_scratch(url: str, target: Path, args: list[str] | None = None) -> tuple[int, int]:
    """Build the model incrementally, set its table and coverage aside, build it from scratch,
    compare the surfaced patterns' rows both ways and put the incremental table back."""
    _build(url, target, args)
    with database.connect(url) as conn:
        conn.execute(f"alter table {OCCURRENCES} rename to pattern_occurrences_incremental")
        conn.execute(
            "alter index if exists marts.pattern_occurrences_segment_id"
            " rename to pattern_occurrences_incremental_segment_id"
        )
        conn.execute(f"alter table {COVERAGE} rename to pattern_occurrences_coverage_incremental")
        conn.commit()
    run_dbt(url, ["run", "--select", "pattern_occurrences", *(args or [])], target)
    with database.connect(url) as conn:
        incremental = "marts.pattern_occurrences_incremental"
        found = (
            _surfaced_rows_differ(conn, incremental, OCCURRENCES),
            _surfaced_rows_differ(conn, OCCURRENCES, incremental),
        )
        conn.execute(f"drop table {OCCURRENCES}")
        conn.execute(f"drop table {COVERAGE}")
        conn.execute(f"alter table {incremental} rename to pattern_occurrences")
        conn.execute(
            "alter index marts.pattern_occurrences_incremental_segment_id"
            " rename to pattern_occurrences_segment_id"
        )
        conn.execute(f"alter table {COVERAGE}_incremental rename to pattern_occurrences_coverage")
        conn.commit()
    return found


def _row_versions(conn: psycopg.Connection) -> dict[tuple[str, str], str]:
    return {
        (key, segment): version
        for key, segment, version in conn.execute(
            f"select pattern_key, segment_id, xmin::text from {OCCURRENCES}"  # noqa: S608
        ).fetchall()
    }


def _late_check_of_failed_segments(history_file: Path, out: Path) -> set[str]:
    """A later file with one more failed check (a new score_id) for every failed segment of
    `history_file`: no check is replaced, yet each of their rows lists another failed check.
    Returns those segments."""
    header, rows = read_rows(history_file)
    failed = {row["segment_id"]: row for row in rows if row["passed"] == "false"}
    write_rows(
        out,
        header,
        [
            dict(row, score_id=f"{row['score_id']}-late", check_name="late_gate")
            for row in failed.values()
        ],
    )
    return set(failed)


def _failing_check_moved_away(conn: psycopg.Connection, history: Path, out: Path) -> str:
    """A later file re-delivering the only failed check of a segment some surfaced pattern
    lists, as a check of a passing segment: the segment passes now, yet no check loaded since
    names it (only the ledger's count of replaced rows tells). Returns that segment."""
    segment = conn.execute(
        f"select occurrences.segment_id from {OCCURRENCES} as occurrences"  # noqa: S608
        " join intermediate.int_segments_outcomes_derived as segments using (segment_id)"
        f" where segments.failed_check_count = 1 and occurrences.pattern_key in ({SURFACED})"
        " order by 1 limit 1"
    ).fetchone()[0]
    for path in sorted(history.glob("quality_scores_*.csv")):
        header, rows = read_rows(path)
        failing = [r for r in rows if r["segment_id"] == segment and r["passed"] == "false"]
        if failing:
            passing = next(r for r in rows if r["segment_id"] != segment and r["passed"] == "true")
            moved = dict(failing[0])
            moved.update({column: passing[column] for column in GENERATION})
            write_rows(out, header, [moved])
            return segment
    raise AssertionError(f"no failed check of {segment} in {history}")


def _window_pattern_planted(folder: Path) -> None:
    """Fail one check of every segment of one (model, scene type) pair in a day's file: a pair
    with 10 to 30 segments that day fails throughout, a recent-window pattern that the whole
    history dilutes."""
    path = min(folder.glob("quality_scores_*.csv"))
    header, rows = read_rows(path)
    segments: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        segments.setdefault((row["model"], row["scene_type"]), set()).add(row["segment_id"])
    pair = next(pair for pair, ids in sorted(segments.items()) if 10 <= len(ids) <= 30)
    failed: set[str] = set()
    for row in rows:
        if (row["model"], row["scene_type"]) == pair and row["segment_id"] not in failed:
            row.update(passed="false", failure_reason="planted: flicker")
            failed.add(row["segment_id"])
    write_rows(path, header, rows)


def _windows(conn: psycopg.Connection) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "select pattern_key from intermediate.int_patterns_surfaced"
            " where verdict = 'surfaced' and window_starts_on is not null"
        ).fetchall()
    ]


def _day(tmp_path: Path, offset: int, seed: int) -> list[Path]:
    folder = tmp_path / f"day_{offset}"
    demo.write_demo_data(
        folder,
        days=1,
        segments_per_day=SEGMENTS_PER_DAY,
        seed=seed,
        start=START + dt.timedelta(days=offset),
    )
    return sorted(folder.iterdir())


def test_pattern_occurrences_built_incrementally_equal_a_build_from_scratch(
    server_url: str, tmp_path: Path
) -> None:
    history = tmp_path / "history"
    demo.write_demo_data(history, days=DAYS, segments_per_day=SEGMENTS_PER_DAY, seed=5, start=START)
    url = loaded_database(server_url, sorted(history.iterdir()))
    target = tmp_path / "target"
    _build(url, target)
    first_file = min(history.glob("quality_scores_*.csv"))
    with database.connect(url) as conn:
        assert conn.execute(f"select count(*) from {COVERAGE}").fetchone()[0] > 0  # noqa: S608
        before = _row_versions(conn)

    # A new day, a late failed check for a passing segment of the first day, and one more
    # failed check for every failed segment of the last day (re-derived: their rows change).
    late_file = tmp_path / "quality_scores_late.csv"
    late_segment = write_late_check(first_file, late_file)
    more_file = tmp_path / "quality_scores_more.csv"
    rederived = _late_check_of_failed_segments(max(history.glob("quality_scores_*.csv")), more_file)
    with database.connect(url) as conn:
        load_files(conn, [*_day(tmp_path, DAYS, seed=6), late_file, more_file])
    assert _versus_scratch(url, target) == (0, 0)
    with database.connect(url) as conn:
        after = _row_versions(conn)
        new_day = conn.execute(
            f"select count(*) from {OCCURRENCES} where evaluated_at >= %s",  # noqa: S608
            [START + dt.timedelta(days=DAYS)],
        ).fetchone()[0]
    kept = [row for row in before if row in after and row[1] not in {late_segment, *rederived}]
    unchanged = [row for row in kept if after[row] == before[row]]
    assert new_day > 0
    # The rows of old segments were extended around, not rewritten.
    assert kept and len(unchanged) > 0.8 * len(kept)

    # Re-deliveries replace checks: every surfaced pattern is rebuilt. One of them takes the
    # only failed check away from a segment a pattern lists.
    redelivered = tmp_path / "quality_scores_redelivered.csv"
    write_redeliveries(first_file, redelivered)
    moved_away = tmp_path / "quality_scores_moved_away.csv"
    with database.connect(url) as conn:
        passes_now = _failing_check_moved_away(conn, history, moved_away)
    with database.connect(url) as conn:
        load_files(conn, [redelivered, moved_away])
    assert _versus_scratch(url, target) == (0, 0)
    with database.connect(url) as conn:
        assert not conn.execute(
            f"select count(*) from {OCCURRENCES} where segment_id = %s"  # noqa: S608
            f" and pattern_key in ({SURFACED})",
            [passes_now],
        ).fetchone()[0]

    # Nothing surfaces while two days load (the patterns resolve, their rows stay), then the
    # patterns surface again: the days loaded meanwhile are added from their old coverage.
    with database.connect(url) as conn:
        load_files(conn, _day(tmp_path, DAYS + 1, seed=7))
    _build(url, target, NOTHING_SURFACES)
    with database.connect(url) as conn:
        resolved = conn.execute(
            f"select count(*) from {OCCURRENCES} where pattern_key not in ({SURFACED})"  # noqa: S608
        ).fetchone()[0]
    with database.connect(url) as conn:
        load_files(conn, _day(tmp_path, DAYS + 2, seed=8))
    assert resolved > 0
    assert _versus_scratch(url, target) == (0, 0)

    # A day on which one pair fails throughout: a new pattern of a recent window, rebuilt from
    # its window's days only.
    planted = _day(tmp_path, DAYS + 3, seed=9)
    _window_pattern_planted(planted[0].parent)
    with database.connect(url) as conn:
        windows = _windows(conn)
    with database.connect(url) as conn:
        load_files(conn, planted)
    assert _versus_scratch(url, target) == (0, 0)
    with database.connect(url) as conn:
        assert set(_windows(conn)) - set(windows)

    # A pattern that surfaced in a recent window only, and now over the whole history: its
    # rows covered the window, and must reach back to the first day (left behind here by
    # narrowing a pattern's coverage and rows to its last day).
    with database.connect(url) as conn:
        key, last_day = conn.execute(
            f"select pattern_key, max((evaluated_at at time zone 'UTC')::date)"  # noqa: S608
            f" from {OCCURRENCES} where pattern_key in ({SURFACED}) group by 1"
            " having count(distinct (evaluated_at at time zone 'UTC')::date) > 1"
            " order by 1 limit 1"
        ).fetchone()
        conn.execute(
            f"update {COVERAGE} set window_starts_on = %s where pattern_key = %s",  # noqa: S608
            [last_day, key],
        )
        narrowed = conn.execute(
            f"delete from {OCCURRENCES} where pattern_key = %s"  # noqa: S608
            " and (evaluated_at at time zone 'UTC')::date < %s",
            [key, last_day],
        ).rowcount
        conn.commit()
    assert narrowed > 0
    assert _versus_scratch(url, target) == (0, 0)

    # A full refresh (the nightly one) rebuilds every surfaced pattern's rows.
    with database.connect(url) as conn:
        before = _row_versions(conn)
    assert _versus_scratch(url, target, ["--full-refresh"]) == (0, 0)
    with database.connect(url) as conn:
        after = _row_versions(conn)
        surfaced = {row[0] for row in conn.execute(SURFACED).fetchall()}
    rewritten = [row for row in after if row[0] in surfaced and before.get(row) != after[row]]
    assert rewritten and len(rewritten) == len([row for row in after if row[0] in surfaced])

    # A table built before the coverage existed (an upgraded home): rebuilt in full once.
    with database.connect(url) as conn:
        conn.execute(f"drop table {COVERAGE}")
        conn.commit()
    with database.connect(url) as conn:
        load_files(conn, _day(tmp_path, DAYS + 4, seed=10))
    assert _versus_scratch(url, target) == (0, 0)
