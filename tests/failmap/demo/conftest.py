"""Demo data written once per test session: the default window and small files per format."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from demo_stats import read_parquet_fast, segments_of

from failmap.demo import DemoSummary, write_demo_data

START = dt.date(2026, 3, 2)
SMALL_DAYS, SMALL_SEGMENTS_PER_DAY = 9, 300  # two weekly chunks, the second one short


@dataclass(frozen=True)
class Written:
    """A written demo data set and its frames."""

    out_dir: Path
    summary: DemoSummary
    quality_scores: pd.DataFrame
    runs: pd.DataFrame
    segments: pd.DataFrame


def _write_default(tmp_path_factory: pytest.TempPathFactory, effects: bool) -> Written:
    out_dir = tmp_path_factory.mktemp(f"default_effects_{effects}")
    summary = write_demo_data(
        out_dir, days=60, segments_per_day=1000, seed=1, effects=effects, start=START,
        file_format="parquet",
    )  # fmt: skip
    quality_scores = read_parquet_fast(out_dir, "quality_scores")
    runs = read_parquet_fast(out_dir, "runs")
    return Written(out_dir, summary, quality_scores, runs, segments_of(quality_scores))


@pytest.fixture(scope="session")
def default_data(tmp_path_factory: pytest.TempPathFactory) -> Written:
    """The default window with planted effects: 60 days x 1000 segments/day, seed 1."""
    return _write_default(tmp_path_factory, effects=True)


@pytest.fixture(scope="session")
def null_data(tmp_path_factory: pytest.TempPathFactory) -> Written:
    """The same window with --no-effects."""
    return _write_default(tmp_path_factory, effects=False)


@pytest.fixture(scope="session")
def small_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, DemoSummary]]:
    """Nine small days in every file format (same arguments otherwise)."""
    written = {}
    for file_format in ("csv", "jsonl", "parquet"):
        out_dir = tmp_path_factory.mktemp(f"small_{file_format}")
        summary = write_demo_data(
            out_dir, days=SMALL_DAYS, segments_per_day=SMALL_SEGMENTS_PER_DAY, seed=7,
            start=START, file_format=file_format,
        )  # fmt: skip
        written[file_format] = (out_dir, summary)
    return written
