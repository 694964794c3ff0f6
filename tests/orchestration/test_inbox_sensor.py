"""The inbox sensor asks for a run when a file is new or changed, and not otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.ingestion.sensors import inbox_sensor


def evaluate(cursor: str | None) -> dg.SensorResult | dg.SkipReason:
    context = dg.build_sensor_context(cursor=cursor)
    return inbox_sensor(context)


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "inbox"
    path.mkdir()
    monkeypatch.setenv("FAILMAP_INBOX", str(path))
    return path


def test_new_file_requests_a_run_and_an_old_one_does_not(inbox: Path) -> None:
    assert isinstance(evaluate(None), dg.SkipReason)

    (inbox / "quality_scores_1.csv").write_text("a\n")
    first = evaluate(None)
    assert isinstance(first, dg.SensorResult)
    assert len(first.run_requests or []) == 1

    again = evaluate(first.cursor)
    assert isinstance(again, dg.SkipReason)

    (inbox / "runs_2.csv").write_text("b\n")
    second = evaluate(first.cursor)
    assert isinstance(second, dg.SensorResult)
    assert second.run_requests[0].run_key != first.run_requests[0].run_key
    assert second.run_requests[0].tags["failmap/new_files"] == "1"


def test_rewritten_file_requests_a_run(inbox: Path) -> None:
    path = inbox / "quality_scores_1.csv"
    path.write_text("a\n")
    first = evaluate(None)
    path.write_text("a different content\n")
    os.utime(path, ns=(2_000_000_000_000_000_000, 2_000_000_000_000_000_000))

    assert isinstance(evaluate(first.cursor), dg.SensorResult)


def test_files_being_written_are_ignored(inbox: Path) -> None:
    (inbox / "quality_scores_1.csv.part").write_text("a\n")
    (inbox / ".quality_scores_2.csv").write_text("a\n")

    assert isinstance(evaluate(None), dg.SkipReason)


def test_symlinks_are_ignored_and_said_so(inbox: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("a\n")
    (inbox / "quality_scores_link.csv").symlink_to(outside)

    result = evaluate(None)

    assert isinstance(result, dg.SkipReason)
    assert "quality_scores_link.csv" in (result.skip_message or "")
    assert "symbolic link" in (result.skip_message or "")
