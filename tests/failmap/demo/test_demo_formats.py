"""CSV, JSON Lines and Parquet hold the same rows, and identical arguments give identical bytes."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import START
from demo_stats import read_kind

from failmap.demo import DemoSummary, write_demo_data
from failmap.demo.run_errors import ERROR_FAMILIES


def _records(frame: pd.DataFrame) -> list[tuple]:
    def plain(value: object) -> object:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
        return value

    return [tuple(plain(v) for v in row) for row in frame.itertuples(index=False)]


@pytest.mark.parametrize("kind", ["quality_scores", "runs"])
def test_all_formats_round_trip_to_the_same_rows(
    small_dirs: dict[str, tuple[Path, DemoSummary]], kind: str
) -> None:
    frames = {fmt: read_kind(out_dir, kind) for fmt, (out_dir, _) in small_dirs.items()}
    reference = frames["csv"]
    assert len(reference) > 0
    for file_format, frame in frames.items():
        assert list(frame.columns) == list(reference.columns), file_format
        assert _records(frame) == _records(reference), file_format


def test_empty_lora_is_an_empty_csv_field_and_null_elsewhere(
    small_dirs: dict[str, tuple[Path, DemoSummary]],
) -> None:
    csv_dir, _ = small_dirs["csv"]
    line = next(
        row
        for row in next(csv_dir.glob("quality_scores_*")).read_text(encoding="utf-8").splitlines()
        if '"landscape"' in row and ",,," in row
    )
    assert ',,,"landscape"' in line  # lora and character both empty
    jsonl_dir, _ = small_dirs["jsonl"]
    text = next(jsonl_dir.glob("quality_scores_*")).read_text(encoding="utf-8")
    assert '"lora": null' in text and '"lora": ""' not in text


def test_jsonl_embeds_phase_errors_and_context_as_objects(
    small_dirs: dict[str, tuple[Path, DemoSummary]],
) -> None:
    jsonl_dir, _ = small_dirs["jsonl"]
    text = next(jsonl_dir.glob("runs_*")).read_text(encoding="utf-8")
    assert '"context": {"worker": ' in text
    assert '"phase_errors": {"' in text


@pytest.mark.parametrize("file_format", ["csv", "jsonl", "parquet"])
def test_identical_arguments_write_identical_bytes(tmp_path: Path, file_format: str) -> None:
    arguments = {"days": 8, "segments_per_day": 150, "seed": 3, "start": START}
    first = write_demo_data(tmp_path / "a", file_format=file_format, **arguments)
    second = write_demo_data(tmp_path / "b", file_format=file_format, **arguments)
    assert [p.name for p in first.files] == [p.name for p in second.files]
    for a, b in zip(first.files, second.files, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_another_seed_or_start_gives_other_data(tmp_path: Path) -> None:
    arguments = {"days": 2, "segments_per_day": 100, "start": START}
    base = write_demo_data(tmp_path / "base", seed=1, **arguments)
    other_seed = write_demo_data(tmp_path / "seed", seed=2, **arguments)
    later = write_demo_data(tmp_path / "later", seed=1, days=2, segments_per_day=100,
                            start=START + dt.timedelta(days=1))  # fmt: skip
    base_runs = read_kind(tmp_path / "base", "runs")
    seed_runs = read_kind(tmp_path / "seed", "runs")
    later_runs = read_kind(tmp_path / "later", "runs")
    assert base.files[0].read_bytes() != other_seed.files[0].read_bytes()
    assert set(base_runs["run_id"]).isdisjoint(seed_runs["run_id"])
    assert set(base_runs["run_id"]).isdisjoint(later_runs["run_id"])
    assert later.start == START + dt.timedelta(days=1)


def test_no_effects_keeps_every_job_segment_and_check(tmp_path: Path) -> None:
    arguments = {"days": 3, "segments_per_day": 400, "seed": 5, "start": START}
    with_effects = write_demo_data(tmp_path / "on", **arguments)
    without = write_demo_data(tmp_path / "off", effects=False, **arguments)
    assert with_effects.segment_count == without.segment_count
    assert with_effects.quality_score_rows == without.quality_score_rows
    assert with_effects.job_count == without.job_count
    on = read_kind(tmp_path / "on", "quality_scores")
    off = read_kind(tmp_path / "off", "quality_scores")
    same = ["score_id", "evaluated_at", "job_id", "segment_id", "lora", "character", "model"]
    assert _records(on[same]) == _records(off[same])
    runs_on, runs_off = read_kind(tmp_path / "on", "runs"), read_kind(tmp_path / "off", "runs")
    same_runs = ["run_id", "started_at", "finished_at", "status", "step_index", "workflow"]
    assert _records(runs_on[same_runs]) == _records(runs_off[same_runs])
    # Effects only add failures: segments failing without effects also fail with them.
    failed_on = set(on.loc[~on["passed"].astype(bool), "segment_id"])
    failed_off = set(off.loc[~off["passed"].astype(bool), "segment_id"])
    assert failed_off < failed_on


def test_every_error_family_survives_csv_and_jsonl_quoting(tmp_path: Path) -> None:
    """Messages with quotes, commas and JSON inside JSON read back identically everywhere."""
    runs = {}
    for file_format in ("csv", "jsonl", "parquet"):
        out_dir = tmp_path / file_format
        write_demo_data(out_dir, days=1, segments_per_day=40_000, seed=11, start=START,
                        file_format=file_format)  # fmt: skip
        runs[file_format] = read_kind(out_dir, "runs")
    reasons = runs["csv"]["failure_reason"].dropna()
    assert reasons.str.contains('"').any() and reasons.str.contains(",").any()
    assert len({f.id for f in ERROR_FAMILIES if reasons.map(f.matches).any()}) == len(
        ERROR_FAMILIES
    )
    for file_format in ("jsonl", "parquet"):
        assert _records(runs[file_format]) == _records(runs["csv"]), file_format
