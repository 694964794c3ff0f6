"""Builders of small, valid landing files that single tests then break in one place."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from failmap.ingest import QUALITY_SCORES, RUNS, readers


def score_row(index: int = 1, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "score_id": f"s{index}",
        "evaluated_at": "2026-09-24T13:05:12+00:00",
        "job_id": f"j{index // 4}",
        "scene_id": f"sc{index // 4}",
        "segment_id": f"seg{index // 2}",
        "segment_position": 1 + index % 8,
        "workflow": "w01",
        "workflow_version": "1.0",
        "model": "m01",
        "model_version": "3.1",
        "lora": "l01",
        "character": "c01",
        "scene_type": "action",
        "check_name": f"check{index % 2}",
        "score": 0.8,
        "threshold": 0.5,
        "passed": "true",
        "failure_reason": "",
        "creator": "ann",
        "project": "p1",
    }
    row.update(overrides)
    return row


def run_row(index: int = 1, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "run_id": f"r{index}",
        "started_at": "2026-09-24T13:00:00+00:00",
        "finished_at": "2026-09-24T13:04:00+00:00",
        "status": "failed",
        "workflow": "w01",
        "error_code": "E42",
        "failure_reason": "CUDA out of memory",
        "phase_errors": json.dumps({"generate": "CUDA out of memory. Tried to allocate 2 GiB"}),
        "recovery_attempted": "true",
        "recovery_succeeded": "false",
        "step_index": 3,
        "context": json.dumps({"gpu": "A100"}),
    }
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict[str, Any]], header: list[str] | None = None) -> Path:
    names = header or list(rows[0].keys())
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=names, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    path = tmp_path / "inbox"
    path.mkdir(exist_ok=True)
    return path


QUALITY_SCORE_COLUMNS = list(QUALITY_SCORES.column_names)
RUN_COLUMNS = list(RUNS.column_names)


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the landing files opened for reading from now on (to hash or load them)."""
    opened: list[str] = []
    open_file = readers.open_landing_file

    def counting_open(path: Path) -> BinaryIO:
        opened.append(path.name)
        return open_file(path)

    monkeypatch.setattr(readers, "open_landing_file", counting_open)
    return opened
