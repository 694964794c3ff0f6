"""`write_demo_data`: the demo period as inbox files, one quality_scores and one runs file per week.

Files are written under a temporary name and renamed when complete, so an inbox sensor never
picks up half a file.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from failmap.demo.formats import FILE_FORMATS, Sink, open_sink
from failmap.demo.generator import (
    JSON_COLUMNS,
    QUALITY_SCORES_SCHEMA,
    RUNS_SCHEMA,
    DemoConfig,
    generate_day,
)
from failmap.demo.spec import PLANTED, VersionChange

CHUNK_DAYS = 7
# Job ids reserve 2**24 jobs per day; a day of this many segments stays far below that.
MAX_SEGMENTS_PER_DAY = 20_000_000


@dataclass(frozen=True)
class DemoSummary:
    """What `write_demo_data` wrote."""

    files: tuple[Path, ...]
    rows_per_file: Mapping[Path, int]
    quality_score_rows: int
    segment_count: int
    failed_segment_count: int
    job_count: int
    run_rows: int
    start: dt.date
    end: dt.date  # last day, inclusive
    days: int
    segments_per_day: int
    seed: int
    effects: bool
    file_format: str
    # Planted version changes that fall inside the period, with the day they take effect.
    version_changes: tuple[tuple[VersionChange, dt.date], ...]


def write_demo_data(
    out_dir: Path,
    days: int = 60,
    segments_per_day: int = 1000,
    seed: int = 1,
    effects: bool = True,
    start: dt.date | None = None,
    file_format: str = "csv",
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Write `days` days of demo runs and quality scores to `out_dir`; see docs/demo-data.md.

    Identical arguments (including `start`; None means today minus `days`, UTC) give
    byte-identical files. `effects=False` keeps every job, dimension and version change but
    gives every segment the same failure rate.
    """
    if days < 1 or segments_per_day < 1:
        raise ValueError(
            f"days ({days}) and segments_per_day ({segments_per_day}) must be at least 1"
        )
    if segments_per_day > MAX_SEGMENTS_PER_DAY:
        raise ValueError(
            f"segments_per_day ({segments_per_day:,}) must be at most {MAX_SEGMENTS_PER_DAY:,}: "
            "spread larger volumes over more days"
        )
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    if file_format not in FILE_FORMATS:
        raise ValueError(f"file_format must be one of {sorted(FILE_FORMATS)}, got {file_format!r}")
    if start is None:
        start = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=days)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    config = DemoConfig(days, segments_per_day, seed, effects, start)
    extension = FILE_FORMATS[file_format]

    rows_per_file: dict[Path, int] = {}
    totals = {"segments": 0, "failed": 0, "jobs": 0, "scores": 0}
    for first in range(0, days, CHUNK_DAYS):
        last = min(first + CHUNK_DAYS, days) - 1
        span = f"{start + dt.timedelta(days=first)}_{start + dt.timedelta(days=last)}"
        scores_path = out_dir / f"quality_scores_{span}.{extension}"
        runs_path = out_dir / f"runs_{span}.{extension}"
        counts = _write_chunk(config, range(first, last + 1), scores_path, runs_path, file_format)
        rows_per_file[scores_path] = counts["scores"]
        rows_per_file[runs_path] = counts["jobs"]
        for key, value in counts.items():
            totals[key] += value
        if progress is not None:
            progress(
                f"{span}: {counts['segments']:,} segments, {counts['scores']:,} quality_scores "
                f"rows, {counts['jobs']:,} runs -> {scores_path.name}, {runs_path.name}"
            )

    changes = tuple(
        (change, change.changed_on(start))
        for change in PLANTED.version_changes
        if 0 < change.day < days
    )
    return DemoSummary(
        files=tuple(rows_per_file),
        rows_per_file=rows_per_file,
        quality_score_rows=totals["scores"],
        segment_count=totals["segments"],
        failed_segment_count=totals["failed"],
        job_count=totals["jobs"],
        run_rows=totals["jobs"],
        start=start,
        end=start + dt.timedelta(days=days - 1),
        days=days,
        segments_per_day=segments_per_day,
        seed=seed,
        effects=effects,
        file_format=file_format,
        version_changes=changes,
    )


def _write_chunk(
    config: DemoConfig, days: range, scores_path: Path, runs_path: Path, file_format: str
) -> dict[str, int]:
    """Write one week's two files; returns row and segment counts."""
    counts = {"segments": 0, "failed": 0, "jobs": 0, "scores": 0}
    scores_tmp = scores_path.with_name(f".{scores_path.name}.part")
    runs_tmp = runs_path.with_name(f".{runs_path.name}.part")
    sinks: list[Sink] = []
    try:
        scores = open_sink(scores_tmp, QUALITY_SCORES_SCHEMA, file_format, frozenset())
        sinks.append(scores)
        runs = open_sink(runs_tmp, RUNS_SCHEMA, file_format, JSON_COLUMNS)
        sinks.append(runs)
        for day in days:
            for batch in generate_day(config, day):
                scores.write(batch.quality_scores)
                runs.write(batch.runs)
                counts["segments"] += batch.segment_count
                counts["failed"] += batch.failed_segment_count
                counts["jobs"] += batch.runs.num_rows
                counts["scores"] += batch.quality_scores.num_rows
    except BaseException:
        for sink in sinks:
            sink.close()
        scores_tmp.unlink(missing_ok=True)
        runs_tmp.unlink(missing_ok=True)
        raise
    for sink in sinks:
        sink.close()
    os.replace(scores_tmp, scores_path)
    os.replace(runs_tmp, runs_path)
    return counts
