"""A full refresh (the nightly schedule, `failmap refresh --full-refresh`) rebuilds derived models
from scratch but keeps the models that hold history: when each pattern was first detected, which
were resolved, and the occurrences of resolved patterns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import psycopg
import pytest

from failmap import database, demo
from tests.dbt.conftest import loaded_database, run_dbt

pytestmark = pytest.mark.slow

SELECTION = ["+pattern_history", "+pattern_occurrences"]
GONE = "character=resolved_long_ago"


def _history(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(
        "select pattern_key, first_detected_at from marts.pattern_history order by 1"
    ).fetchall()


def _plant_resolved_pattern(conn: psycopg.Connection) -> int:
    """A pattern an earlier refresh surfaced and a later one resolved, with its occurrences."""
    for table in ("pattern_history", "pattern_occurrences"):
        conn.execute(
            f"create temporary table planted as select * from marts.{table} "  # noqa: S608
            "where pattern_key = (select min(pattern_key) from marts.pattern_history)"
        )
        conn.execute("update planted set pattern_key = %s", [GONE])
        conn.execute(f"insert into marts.{table} select * from planted")  # noqa: S608
        conn.execute("drop table planted")
    conn.execute(
        "update marts.pattern_history set first_detected_at = '2026-01-01', "
        "resolved_at = '2026-02-01' where pattern_key = %s",
        [GONE],
    )
    conn.commit()
    return conn.execute(
        "select count(*) from marts.pattern_occurrences where pattern_key = %s", [GONE]
    ).fetchone()[0]


def test_a_full_refresh_keeps_pattern_history_and_occurrences(
    server_url: str, tmp_path: Path
) -> None:
    files = tmp_path / "inbox"
    demo.write_demo_data(files, days=21, segments_per_day=600, seed=2, start=dt.date(2026, 9, 1))
    url = loaded_database(server_url, sorted(files.iterdir()))
    run_dbt(url, ["run", "--select", *SELECTION], tmp_path / "target")
    with database.connect(url) as conn:
        detected = _history(conn)
        assert detected, "the demo data surfaced no pattern: nothing to keep"
        occurrences = _plant_resolved_pattern(conn)
        assert occurrences > 0

    run_dbt(url, ["run", "--full-refresh", "--select", *SELECTION], tmp_path / "target")

    with database.connect(url) as conn:
        kept = dict(_history(conn))
        gone = conn.execute(
            "select first_detected_at::date, resolved_at is not null from marts.pattern_history "
            "where pattern_key = %s",
            [GONE],
        ).fetchone()
        gone_occurrences = conn.execute(
            "select count(*) from marts.pattern_occurrences where pattern_key = %s", [GONE]
        ).fetchone()[0]
    assert {key: kept.get(key) for key, _ in detected} == dict(detected)  # first detection kept
    assert gone == (dt.date(2026, 1, 1), True)  # a resolved pattern stays resolved, not lost
    assert gone_occurrences == occurrences
