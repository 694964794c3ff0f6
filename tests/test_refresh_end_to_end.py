"""`failmap refresh` end to end: files in the inbox -> raw -> staging -> per-segment model, with
the counts equal to what was written, a summary, an exit code, and a second run changing nothing."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from failmap import database
from tests.conftest import run_failmap
from tests.failmap.ingest.conftest import run_row, score_row, write_csv

pytestmark = pytest.mark.slow


def _counts(url: str) -> dict[str, int]:
    tables = [
        "raw.quality_scores",
        "raw.runs",
        "raw.quarantine",
        "staging.stg_raw__quality_scores",
        "staging.stg_raw__runs",
        "intermediate.int_segments_outcomes_derived",
    ]
    with database.connect(url) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}  # noqa: S608


def test_refresh_loads_builds_and_is_idempotent(failmap_env: dict[str, str]) -> None:
    inbox = Path(failmap_env["FAILMAP_INBOX"])
    scores = [
        score_row(i, passed="false" if i % 7 == 0 else "true", lora="" if i % 5 == 0 else "l02")
        for i in range(200)
    ]
    scores.append(score_row(999, segment_position="0"))  # quarantined
    write_csv(inbox / "quality_scores_day1.csv", scores)
    write_csv(inbox / "runs_day1.csv", [run_row(i) for i in range(30)])
    (inbox / "quality_scores_broken.csv").write_bytes(b"\xff\xfe\x00garbage")

    first = run_failmap(failmap_env, "refresh")

    assert first.returncode == 1, first.stdout + first.stderr  # a file was rejected
    assert "files: 2 loaded, 1 rejected, 0 already loaded" in first.stdout
    assert "rows: 230 loaded, 1 quarantined" in first.stdout
    assert re.search(r"checks: [1-9]\d* passed, 0 warned, 0 failed", first.stdout)
    written = pd.DataFrame(scores[:-1])
    counts = _counts(failmap_env["FAILMAP_DATABASE_URL"])
    assert counts == {
        "raw.quality_scores": 200,
        "raw.runs": 30,
        "raw.quarantine": 1,
        "staging.stg_raw__quality_scores": 200,
        "staging.stg_raw__runs": 30,
        "intermediate.int_segments_outcomes_derived": written["segment_id"].nunique(),
    }
    failed_segments = written.loc[written["passed"] == "false", "segment_id"].nunique()
    with database.connect(failmap_env["FAILMAP_DATABASE_URL"]) as conn:
        assert _failed_segments(conn) == failed_segments
        assert conn.execute("select count(*) from marts.data_freshness").fetchone()[0] == 1

    # GX was imported by the helper started with the refresh, while the run was set up.
    assert "(run in the GX helper process)" in _full_log(first.stdout)

    second = run_failmap(failmap_env, "refresh")

    assert second.returncode == 0, second.stdout + second.stderr
    assert "files: 0 loaded, 0 rejected, 3 already loaded" in second.stdout
    assert _counts(failmap_env["FAILMAP_DATABASE_URL"]) == counts
    # The first run's partial parse was kept: dbt did not parse the whole project again.
    assert "Unable to do partial parsing" not in _full_log(second.stdout)


def _full_log(stdout: str) -> str:
    """The refresh's full log, whose path is the last line `failmap refresh` prints."""
    path = re.search(r"full log \(dbt, Dagster, checks\): (\S+)", stdout)
    assert path is not None, stdout
    return Path(path.group(1)).read_text(encoding="utf-8", errors="replace")


def _failed_segments(conn: psycopg.Connection) -> int:
    return conn.execute(
        "select count(*) from intermediate.int_segments_outcomes_derived where is_failed"
    ).fetchone()[0]


def test_demo_data_refresh_counts_match_what_was_written(failmap_env: dict[str, str]) -> None:
    from failmap.demo import write_demo_data

    inbox = Path(failmap_env["FAILMAP_INBOX"])
    written = write_demo_data(inbox, days=10, segments_per_day=300, seed=3, start=date(2026, 9, 1))

    first = run_failmap(failmap_env, "refresh")

    assert first.returncode == 0, first.stdout + first.stderr
    expected_rows = written.quality_score_rows + written.run_rows
    assert f"files: {len(written.files)} loaded, 0 rejected" in first.stdout
    assert f"rows: {expected_rows:,} loaded, 0 quarantined" in first.stdout
    counts = _counts(failmap_env["FAILMAP_DATABASE_URL"])
    assert counts == {
        "raw.quality_scores": written.quality_score_rows,
        "raw.runs": written.run_rows,
        "raw.quarantine": 0,
        "staging.stg_raw__quality_scores": written.quality_score_rows,
        "staging.stg_raw__runs": written.run_rows,
        "intermediate.int_segments_outcomes_derived": written.segment_count,
    }
    with database.connect(failmap_env["FAILMAP_DATABASE_URL"]) as conn:
        assert _failed_segments(conn) == written.failed_segment_count

    second = run_failmap(failmap_env, "refresh")

    assert second.returncode == 0, second.stdout + second.stderr
    assert f"files: 0 loaded, 0 rejected, {len(written.files)} already loaded" in second.stdout
    assert _counts(failmap_env["FAILMAP_DATABASE_URL"]) == counts
