"""Reading demo files back and counting failures per combination, for the demo data tests.

Deliberately independent of the generator: rows are read from the written files and the only
thing borrowed from failmap.demo is the planted truth the tests check against.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from scipy import stats

from failmap.demo import PLANTED
from failmap.demo.spec import PATTERN_DIMENSIONS, position_buckets

TIMESTAMP_COLUMNS = frozenset({"evaluated_at", "started_at", "finished_at"})
BOOLEAN_COLUMNS = frozenset({"passed", "recovery_attempted", "recovery_succeeded"})
INTEGER_COLUMNS = frozenset({"segment_position", "step_index"})
FLOAT_COLUMNS = frozenset({"score", "threshold"})
JSON_COLUMNS = frozenset({"phase_errors", "context"})
VERSION_DIMENSIONS = ("workflow_version", "model_version")


def read_file(path: Path) -> pd.DataFrame:
    """One demo file as a frame of plain Python values (None for missing, dicts for JSON)."""
    if path.suffix == ".csv":
        options = pa_csv.ConvertOptions(
            strings_can_be_null=True,  # unquoted empty field = missing
            quoted_strings_can_be_null=False,
            column_types={name: pa.string() for name in _header(path)},
        )
        frame = pa_csv.read_csv(path, convert_options=options).to_pandas()
        frame = frame.astype(object).where(frame.notna(), None)
        for column in frame.columns:
            frame[column] = _parse_text(column, frame[column])
        return frame
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as lines:
            records = [json.loads(line) for line in lines]
        frame = pd.DataFrame.from_records(records).astype(object)
        for column in TIMESTAMP_COLUMNS & set(frame.columns):
            frame[column] = _parse_text(column, frame[column])
        return frame
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        frame = pd.DataFrame(
            {name: table.column(name).to_pylist() for name in table.column_names}, dtype=object
        )
        for column in JSON_COLUMNS & set(frame.columns):
            frame[column] = [None if v is None else json.loads(v) for v in frame[column]]
        for column in TIMESTAMP_COLUMNS & set(frame.columns):
            frame[column] = [pd.Timestamp(v) for v in frame[column]]
        return frame
    raise ValueError(f"not a demo file: {path}")


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return [name.strip('"') for name in handle.readline().rstrip("\n").split(",")]


def _parse_text(column: str, values: pd.Series) -> pd.Series:
    if column in TIMESTAMP_COLUMNS:
        return pd.Series(
            [None if v is None else pd.Timestamp(v) for v in values], index=values.index
        )
    if column in BOOLEAN_COLUMNS:
        return values.map({"true": True, "false": False, None: None})
    if column in INTEGER_COLUMNS:
        return pd.Series([None if v is None else int(v) for v in values], index=values.index)
    if column in FLOAT_COLUMNS:
        return pd.Series([None if v is None else float(v) for v in values], index=values.index)
    if column in JSON_COLUMNS:
        return pd.Series([None if v is None else json.loads(v) for v in values], index=values.index)
    return values


def read_kind(out_dir: Path, kind: str) -> pd.DataFrame:
    """All files of one kind (`quality_scores` or `runs`) in name order, concatenated."""
    paths = sorted(out_dir.glob(f"{kind}_*"))
    return pd.concat([read_file(path) for path in paths], ignore_index=True)


def read_parquet_fast(out_dir: Path, kind: str) -> pd.DataFrame:
    """Typed frame of one kind from Parquet files (for the large statistical fixtures)."""
    paths = sorted(out_dir.glob(f"{kind}_*.parquet"))
    return pd.concat([pq.read_table(p).to_pandas() for p in paths], ignore_index=True)


def segments_of(quality_scores: pd.DataFrame) -> pd.DataFrame:
    """One row per segment: its dimensions, versions, bucket, day and whether it failed."""
    checks = quality_scores.assign(check_failed=~quality_scores["passed"].astype(bool))
    columns = [*PATTERN_DIMENSIONS, *VERSION_DIMENSIONS, "job_id", "evaluated_at"]
    first = checks.groupby("segment_id", sort=False)[columns].first()
    failed = checks.groupby("segment_id", sort=False)["check_failed"].any()
    segments = first.assign(failed=failed)
    for column in ("lora", "character"):
        segments[column] = segments[column].astype(object).where(segments[column].notna(), None)
    segments["position_bucket"] = position_buckets(segments["segment_position"].to_numpy())
    segments["day"] = pd.to_datetime(segments["evaluated_at"], utc=True).dt.date
    # The data starts on its first day and ends on its last (timed effects need both).
    offsets = pd.to_datetime(segments["day"]) - pd.to_datetime(segments["day"]).min()
    segments["day_offset"] = offsets.dt.days.to_numpy()
    segments["period_days"] = int(segments["day_offset"].max()) + 1
    return segments


def _pattern_column(dimension: str) -> str:
    return "position_bucket" if dimension == "segment_position" else dimension


def combination_counts(
    segments: pd.DataFrame, rate: np.ndarray, max_dimensions: int = 3, min_support: int = 5
) -> pd.DataFrame:
    """Failures per combination of 1..max_dimensions pattern dimension values.

    `rate` is each segment's hypothesised failure probability; the result carries its sum
    (expected failures) so observed counts can be tested against it. Missing values are not
    values: a segment without a LoRA belongs to no `lora=...` combination.
    """
    data = segments.assign(expected=rate)
    frames = []
    for size in range(1, max_dimensions + 1):
        for dims in itertools.combinations(PATTERN_DIMENSIONS, size):
            columns = [_pattern_column(d) for d in dims]
            grouped = (
                data.groupby(columns, dropna=True, observed=True)
                .agg(
                    failures=("failed", "sum"),
                    total=("failed", "size"),
                    expected=("expected", "sum"),
                )
                .reset_index()
                .rename(columns=dict(zip(columns, dims, strict=True)))
            )
            frames.append(grouped[grouped["total"] >= min_support])
    combos = pd.concat(frames, ignore_index=True)
    for dimension in PATTERN_DIMENSIONS:
        if dimension not in combos:
            combos[dimension] = None
    combos["dims"] = [
        {d: row[d] for d in PATTERN_DIMENSIONS if isinstance(row[d], str)}
        for row in combos[list(PATTERN_DIMENSIONS)].to_dict("records")
    ]
    return combos


def binomial_two_sided_p(failures: np.ndarray, total: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Two-sided binomial p-value of `failures` out of `total` at probability `rate`.

    For a cell whose segments have different planted rates the count is Poisson-binomial,
    whose spread is at most the binomial's at the mean rate: the test stays conservative.
    """
    lower = stats.binom.cdf(failures, total, rate)
    upper = stats.binom.sf(failures - 1, total, rate)
    return np.minimum(1.0, 2.0 * np.minimum(lower, upper))


def deviating_combinations(combos: pd.DataFrame, alpha: float = 0.01) -> pd.DataFrame:
    """Combinations whose failures deviate from their expectation (Bonferroni over all)."""
    mean_rate = combos["expected"] / combos["total"]
    p = binomial_two_sided_p(combos["failures"].to_numpy(), combos["total"].to_numpy(), mean_rate)
    return combos.assign(p=p)[p < alpha / len(combos)]


def elevation_z(failures: np.ndarray, total: np.ndarray, baseline: float) -> np.ndarray:
    """One-sided z of a failure rate above `baseline` (the usual pattern-engine statistic)."""
    return (failures / total - baseline) / np.sqrt(baseline * (1 - baseline) / total)


def matches(segments: pd.DataFrame, dims: Mapping[str, str]) -> np.ndarray:
    """Mask of segments in the combination `dims` (pattern dimensions or version columns)."""
    mask = np.ones(len(segments), dtype=bool)
    for dimension, value in dims.items():
        mask &= (segments[_pattern_column(dimension)] == value).to_numpy(dtype=bool)
    return mask


def compatible(dims: Mapping[str, str], others: Iterable[Mapping[str, str]]) -> bool:
    """Whether `dims` agrees with one of `others` on a shared dimension and conflicts on none."""
    for other in others:
        shared = set(dims) & set(other)
        if shared and all(dims[d] == other[d] for d in shared):
            return True
    return False


def planted_rate(segments: pd.DataFrame, effects: bool = True) -> np.ndarray:
    """The planted probability of each segment, from the columns in the files."""
    return PLANTED.failure_rate(segments, effects=effects)
