"""The inbox sensor asks for no run when every new file's content is in the ledger already (the
start-up refresh of `failmap up` loaded it), and for one as soon as a file is really new."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import dagster as dg
import pytest

from failmap import database
from failmap.ingest import load_files
from orchestration.defs.ingestion.sensors import inbox_sensor
from tests.failmap.ingest.conftest import count_reads, score_row, write_csv


def _evaluate(cursor: str | None) -> dg.SensorResult | dg.SkipReason:
    return inbox_sensor(dg.build_sensor_context(cursor=cursor))


def test_files_already_loaded_advance_the_cursor_without_a_run(
    failmap_env: dict[str, str],
) -> None:
    inbox = Path(failmap_env["FAILMAP_INBOX"])
    loaded = write_csv(inbox / "quality_scores_1.csv", [score_row(i) for i in range(4)])
    with database.connect(failmap_env["FAILMAP_DATABASE_URL"]) as conn:
        load_files(conn, [loaded])

    first = _evaluate(None)

    assert isinstance(first, dg.SensorResult)
    assert not first.run_requests
    assert "loaded already" in (first.skip_reason.skip_message or "")
    assert "quality_scores_1.csv" in json.loads(first.cursor or "{}")

    write_csv(inbox / "quality_scores_2.csv", [score_row(i) for i in range(10, 14)])
    second = _evaluate(first.cursor)

    assert isinstance(second, dg.SensorResult)
    assert len(second.run_requests or []) == 1
    assert second.run_requests[0].tags["failmap/new_files"] == "1"


def test_file_rejected_for_its_name_requests_a_run_once_renamed(
    failmap_env: dict[str, str],
) -> None:
    inbox = Path(failmap_env["FAILMAP_INBOX"])
    misnamed = write_csv(inbox / "scores.csv", [score_row(i) for i in range(4)])
    with database.connect(failmap_env["FAILMAP_DATABASE_URL"]) as conn:
        [outcome] = load_files(conn, [misnamed])
    assert outcome.status == "rejected"
    first = _evaluate(None)

    misnamed.rename(inbox / "quality_scores_1.csv")
    renamed = _evaluate(first.cursor)

    assert isinstance(renamed, dg.SensorResult)
    assert len(renamed.run_requests or []) == 1


def test_files_unchanged_since_they_were_loaded_are_not_read_again(
    failmap_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = Path(failmap_env["FAILMAP_INBOX"])
    loaded = write_csv(inbox / "quality_scores_1.csv", [score_row(i) for i in range(4)])
    an_hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(loaded, ns=(an_hour_ago, an_hour_ago))  # settled: its stat is ledgered
    with database.connect(failmap_env["FAILMAP_DATABASE_URL"]) as conn:
        load_files(conn, [loaded])
    reads = count_reads(monkeypatch)

    result = _evaluate(None)

    assert isinstance(result, dg.SensorResult)
    assert not result.run_requests
    assert reads == []
