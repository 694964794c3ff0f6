"""Every demo row satisfies the input contract in ARCHITECTURE.md, and runs agree with scores."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SMALL_DAYS, START, Written
from demo_stats import read_file, read_kind

from failmap.demo import DemoSummary, write_demo_data
from failmap.demo.catalog import MAX_SCENE_LENGTH
from failmap.demo.checks import CHECK_NAMES

ISO_WITH_OFFSET = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")
SCORE_REQUIRED = (
    "score_id", "evaluated_at", "job_id", "segment_id", "segment_position", "workflow", "model",
    "scene_type", "check_name", "passed",
)  # fmt: skip
DIMENSIONS = (
    "workflow", "workflow_version", "model", "model_version", "lora", "character", "scene_type",
)  # fmt: skip


@pytest.fixture(scope="module")
def small_csv(small_dirs: dict[str, tuple[Path, DemoSummary]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    out_dir, _ = small_dirs["csv"]
    return read_kind(out_dir, "quality_scores"), read_kind(out_dir, "runs")


def test_files_are_one_pair_per_week_named_by_their_first_and_last_day(
    small_dirs: dict[str, tuple[Path, DemoSummary]],
) -> None:
    out_dir, summary = small_dirs["csv"]
    names = sorted(path.name for path in out_dir.iterdir())
    assert names == [
        "quality_scores_2026-03-02_2026-03-08.csv",
        "quality_scores_2026-03-09_2026-03-10.csv",
        "runs_2026-03-02_2026-03-08.csv",
        "runs_2026-03-09_2026-03-10.csv",
    ]
    assert summary.start == START
    assert summary.end == START + dt.timedelta(days=SMALL_DAYS - 1)
    assert sorted(p.name for p in summary.files) == names


def test_summary_counts_match_the_rows_in_the_files(
    small_dirs: dict[str, tuple[Path, DemoSummary]], small_csv: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    _, summary = small_dirs["csv"]
    scores, runs = small_csv
    for path, rows in summary.rows_per_file.items():
        assert len(read_file(path)) == rows
    assert summary.quality_score_rows == len(scores)
    assert summary.run_rows == summary.job_count == len(runs)
    assert summary.segment_count == scores["segment_id"].nunique()
    failed = scores.assign(f=~scores["passed"].astype(bool)).groupby("segment_id")["f"].any()
    assert summary.failed_segment_count == failed.sum()


def test_each_day_has_the_requested_segments_to_within_one_scene(
    small_csv: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    scores, _ = small_csv
    per_segment = scores.drop_duplicates("segment_id")
    per_day = per_segment.groupby(per_segment["evaluated_at"].map(lambda t: t.date())).size()
    assert len(per_day) == SMALL_DAYS
    assert per_day.between(300, 300 + MAX_SCENE_LENGTH - 1).all(), per_day


def test_text_files_write_iso_timestamps_with_offset_and_lowercase_booleans(
    small_dirs: dict[str, tuple[Path, DemoSummary]],
) -> None:
    out_dir, _ = small_dirs["csv"]
    text = next(out_dir.glob("quality_scores_*")).read_text(encoding="utf-8").splitlines()
    header, first = text[0].split(","), text[1]
    assert header[:2] == ['"score_id"', '"evaluated_at"']
    assert ISO_WITH_OFFSET.search(first)
    assert ",true," in first or ",false," in first
    assert "True" not in first and "False" not in first


def test_quality_score_rows_satisfy_the_contract(
    small_csv: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    scores, _ = small_csv
    for column in SCORE_REQUIRED:
        assert scores[column].notna().all(), column
    assert (scores["segment_position"] >= 1).all()
    assert scores["score"].between(0.0, 1.0).all()
    assert scores["score_id"].is_unique
    assert set(scores["check_name"]) == set(CHECK_NAMES)
    assert all(t.utcoffset() == dt.timedelta(0) for t in scores["evaluated_at"])
    # Passed means score >= threshold, and only failed checks give a reason.
    passed = scores["passed"].astype(bool)
    assert (passed == (scores["score"] >= scores["threshold"])).all()
    assert (passed == scores["failure_reason"].isna()).all()
    assert (scores["lora"] != "").all() and (scores["character"] != "").all()


def test_run_rows_satisfy_the_contract(small_csv: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, runs = small_csv
    assert runs["run_id"].is_unique
    assert runs["started_at"].notna().all()
    assert set(runs["status"]) <= {"succeeded", "failed", "cancelled"}
    assert (runs["finished_at"] >= runs["started_at"]).all()
    # Jobs never span midnight, so a version change at 00:00 splits days cleanly.
    assert (
        runs["finished_at"].map(lambda t: t.date()) == runs["started_at"].map(lambda t: t.date())
    ).all()
    for column in ("phase_errors", "context"):
        assert runs[column].map(lambda v: v is None or isinstance(v, dict)).all()
    assert runs["context"].notna().all()


def test_every_score_belongs_to_a_run_with_the_same_dimensions(
    small_csv: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    scores, runs = small_csv
    assert set(scores["job_id"]) <= set(runs["run_id"])
    joined = scores.merge(runs, left_on="job_id", right_on="run_id", suffixes=("", "_run"))
    assert len(joined) == len(scores)
    for column in DIMENSIONS:
        assert (joined[column].fillna("-") == joined[f"{column}_run"].fillna("-")).all(), column
    assert (joined["evaluated_at"] > joined["started_at"]).all()
    assert (joined["evaluated_at"] <= joined["finished_at"]).all()
    assert (joined["scene_id"] == joined["context"].map(lambda c: c["scene_id"])).all()


def test_scenes_have_3_to_12_segments_numbered_from_1(default_data: Written) -> None:
    scores, runs = default_data.quality_scores, default_data.runs
    segments = scores.drop_duplicates("segment_id")
    per_job = segments.groupby("job_id")["segment_position"].agg(["count", "max", "min"])
    assert (per_job["min"] == 1).all() and (per_job["count"] == per_job["max"]).all()
    runs = runs.set_index("run_id")
    planned = runs["context"].map(lambda c: int(re.search(r'"segments_planned": (\d+)', c)[1]))
    done = runs["context"].map(lambda c: int(re.search(r'"segments_done": (\d+)', c)[1]))
    assert planned.between(3, 12).all()
    produced = per_job["count"].reindex(runs.index, fill_value=0)
    assert (produced == done).all()
    succeeded = runs["status"] == "succeeded"
    assert (produced[succeeded] == planned[succeeded]).all()
    assert (produced <= planned).all()
    assert set(planned) == set(range(3, 13))


def test_checks_per_segment_are_3_to_5_with_face_checks_only_for_characters(
    default_data: Written,
) -> None:
    scores = default_data.quality_scores
    per_segment = scores.groupby("segment_id")["check_name"].size()
    assert per_segment.between(3, 5).all()
    assert set(per_segment) == {3, 4, 5}
    face = scores[scores["check_name"].isin(["face_consistency", "lip_sync"])]
    assert face["character"].notna().all()


def test_ids_stay_unique_at_the_default_size(default_data: Written) -> None:
    assert default_data.quality_scores["score_id"].is_unique
    assert default_data.runs["run_id"].is_unique
    assert set(default_data.quality_scores["job_id"]) <= set(default_data.runs["run_id"])


def test_failed_reasons_agree_with_their_scores(default_data: Written) -> None:
    scores = default_data.quality_scores
    face = scores[(scores["check_name"] == "face_consistency") & ~scores["passed"]]
    distance = face["failure_reason"].str.extract(r"distance (\d\.\d\d) > 0\.35")[0].astype(float)
    assert (distance > 0.35).all()
    assert np.allclose(distance, 1.0 - face["score"], atol=0.0051)
    drift = scores[(scores["check_name"] == "color_drift") & ~scores["passed"]]
    assert (
        drift["failure_reason"]
        .str.fullmatch(r"color drift ΔE \d+\.\d > 4\.0 vs scene reference")
        .all()
    )


@pytest.mark.parametrize(
    "arguments",
    [{"days": 0}, {"segments_per_day": 0}, {"seed": -1}, {"file_format": "xlsx"}],
)
def test_bad_arguments_are_refused_with_a_reason(tmp_path: Path, arguments: dict) -> None:
    with pytest.raises(ValueError, match=r"must|file_format"):
        write_demo_data(tmp_path, **arguments)
    assert list(tmp_path.iterdir()) == []


def test_default_start_ends_the_period_yesterday(tmp_path: Path) -> None:
    summary = write_demo_data(tmp_path, days=2, segments_per_day=20)
    today = dt.datetime.now(dt.UTC).date()
    assert summary.start == today - dt.timedelta(days=2)
    assert summary.end == today - dt.timedelta(days=1)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
