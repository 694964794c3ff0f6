"""Day by day, batch by batch: the runs and quality_scores rows of the demo data as Arrow tables.

Memory stays bounded: a day's jobs are drawn at once (one row per job, small), and segments
and their checks are expanded in batches of at most `BATCH_SEGMENTS` segments. Each batch has
its own random stream, so output never depends on how the caller groups days into files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from failmap.demo import catalog, checks, run_errors
from failmap.demo.jobs import (
    CANCELLED,
    FAILED,
    STATUSES,
    SUCCEEDED,
    DayJobs,
    day_epoch_seconds,
    day_rng,
    draw_day_jobs,
)
from failmap.demo.spec import PLANTED
from failmap.demo.text import cat, hex64, json_string, mix_seed, num, splitmix64, take
from failmap.ingest.contract import QUALITY_SCORES, RUNS, FileKind

BATCH_SEGMENTS = 200_000
POSITION_TEXT: tuple[str, ...] = tuple(f"{i:02d}" for i in range(catalog.MAX_SCENE_LENGTH + 1))
TIMESTAMP = pa.timestamp("s", tz="UTC")

ARROW_TYPES = {
    "text": pa.string(),
    "timestamp": TIMESTAMP,
    "integer": pa.int64(),
    "float": pa.float64(),
    "boolean": pa.bool_(),
    "json_object": pa.string(),  # JSON object text
}


def arrow_schema(kind: FileKind) -> pa.Schema:
    """The landing-file contract of `kind` as an Arrow schema (one source of truth)."""
    return pa.schema([(column.name, ARROW_TYPES[column.kind]) for column in kind.columns])


RUNS_SCHEMA = arrow_schema(RUNS)
JSON_COLUMNS: frozenset[str] = frozenset(
    column.name for column in RUNS.columns if column.kind == "json_object"
)
QUALITY_SCORES_SCHEMA = arrow_schema(QUALITY_SCORES)


@dataclass(frozen=True)
class DemoConfig:
    """What to generate; identical configs give identical rows."""

    days: int
    segments_per_day: int
    seed: int
    effects: bool
    start: dt.date


@dataclass(frozen=True)
class Batch:
    """Rows of some of one day's jobs: their runs and the checks of their segments."""

    day: int
    runs: pa.Table
    quality_scores: pa.Table
    segment_count: int
    failed_segment_count: int


@dataclass(frozen=True)
class _JobColumns:
    """Per-job string columns shared by runs and quality_scores rows."""

    run_hex: pa.Array
    run_id: pa.Array
    scene_id: pa.Array
    workflow: pa.Array
    workflow_version: pa.Array
    model: pa.Array
    model_version: pa.Array
    lora: pa.Array
    character: pa.Array
    scene_type: pa.Array
    creator: pa.Array
    project: pa.Array
    tenant: pa.Array
    worker: pa.Array


def generate_day(config: DemoConfig, day: int) -> Iterator[Batch]:
    """The batches of day offset `day`, in job start order."""
    jobs = draw_day_jobs(config.seed, day, config.segments_per_day, config.effects)
    columns = _job_columns(config, jobs)
    runs = _runs_table(config, jobs, columns)
    produced_before = np.concatenate([[0], np.cumsum(jobs.produced)[:-1]])
    batch_of_job = produced_before // BATCH_SEGMENTS
    for batch in np.unique(batch_of_job):
        members = np.flatnonzero(batch_of_job == batch)
        first, last = int(members[0]), int(members[-1]) + 1
        rng = day_rng(config.seed, day, 1, int(batch))
        quality_scores, segments, failed = _quality_scores_table(
            rng, config, jobs, columns, first, last
        )
        yield Batch(day, runs.slice(first, last - first), quality_scores, segments, failed)


def _job_columns(config: DemoConfig, jobs: DayJobs) -> _JobColumns:
    # Ids: a bijective hash of (seed, start, day, job) so they look opaque and never collide.
    base = mix_seed(config.seed, config.start.toordinal())
    key = base + np.uint64(jobs.day << 24) + np.arange(len(jobs), dtype=np.uint64)
    hashed = splitmix64(key)
    run_hex = hex64(hashed)
    project_names = tuple(catalog.PROJECTS)
    tenant_of_project = np.asarray(tuple(catalog.PROJECTS.values()))
    return _JobColumns(
        run_hex=run_hex,
        run_id=cat("run-", run_hex),
        scene_id=cat("scn-", hex64(splitmix64(hashed ^ np.uint64(0x5CE7E)), 12)),
        workflow=take(catalog.WORKFLOWS, jobs.workflow),
        workflow_version=take(jobs.workflow_versions, jobs.workflow),
        model=take(catalog.MODELS, jobs.model),
        model_version=take(jobs.model_versions, jobs.model),
        lora=take(catalog.LORAS, jobs.lora),
        character=take(catalog.CHARACTERS, jobs.character),
        scene_type=take(catalog.SCENE_TYPES, jobs.scene_type),
        creator=take(catalog.CREATORS, jobs.creator),
        project=take(project_names, jobs.project),
        tenant=take(catalog.TENANTS, tenant_of_project[jobs.project]),
        worker=take(catalog.WORKERS, jobs.worker),
    )


def _timestamps(config: DemoConfig, day: int, seconds: np.ndarray) -> pa.Array:
    epoch = day_epoch_seconds(config.start, day) + np.asarray(seconds, dtype=np.int64)
    return pa.array(epoch, type=pa.int64()).cast(TIMESTAMP)


def _runs_table(config: DemoConfig, jobs: DayJobs, columns: _JobColumns) -> pa.Table:
    failed = jobs.status == FAILED
    rng = day_rng(config.seed, jobs.day, 2)
    position = np.maximum(jobs.produced + 1, 1)  # the segment in work when it stopped
    position = np.minimum(position, jobs.planned)
    context = run_errors.ErrorContext(
        phase=_phase_names(jobs.failed_phase),
        run_hex=columns.run_hex,
        model=columns.model,
        model_version=columns.model_version,
        lora=columns.lora,
        character=columns.character,
        project=columns.project,
        tenant=columns.tenant,
        worker=columns.worker,
        position=position,
    )
    fatal = run_errors.build_messages(rng, jobs.family, context)
    has_transient = jobs.transient_phase >= 0
    transient_context = replace(context, phase=_phase_names(jobs.transient_phase))
    transient = run_errors.build_messages(rng, jobs.transient_family, transient_context)
    phase_names = run_errors.PHASES
    fatal_entry = cat('"', take(phase_names, jobs.failed_phase), '": ', json_string(fatal))
    fatal_entry = pc.if_else(pa.array(failed), fatal_entry, pa.scalar(None, pa.string()))
    transient_entry = cat(
        '"', take(phase_names, jobs.transient_phase), '": ', json_string(transient)
    )
    transient_entry = pc.if_else(
        pa.array(has_transient), transient_entry, pa.scalar(None, pa.string())
    )
    # Transient errors always come before the fatal one, and JSON keys keep phase order.
    both = cat("{", transient_entry, ", ", fatal_entry, "}")
    only_fatal = cat("{", fatal_entry, "}")
    only_transient = cat("{", transient_entry, "}")
    phase_errors = pc.coalesce(both, only_fatal, only_transient)

    error_code = take([family.error_code for family in run_errors.ERROR_FAMILIES], jobs.family)
    recovery_succeeded = np.where(jobs.status == SUCCEEDED, True, False)
    return pa.table(
        {
            "run_id": columns.run_id,
            "started_at": _timestamps(config, jobs.day, jobs.started_at),
            "finished_at": _timestamps(config, jobs.day, jobs.finished_at),
            "status": take(STATUSES, jobs.status),
            "workflow": columns.workflow,
            "workflow_version": columns.workflow_version,
            "model": columns.model,
            "model_version": columns.model_version,
            "lora": columns.lora,
            "character": columns.character,
            "scene_type": columns.scene_type,
            "tenant": columns.tenant,
            "error_code": error_code,
            "failure_reason": fatal,
            "phase_errors": phase_errors,
            "recovery_attempted": pa.array(jobs.recovery_attempted),
            # Only meaningful when a recovery was attempted: did the job get through?
            "recovery_succeeded": pa.array(
                recovery_succeeded, mask=~jobs.recovery_attempted, type=pa.bool_()
            ),
            "step_index": pa.array(jobs.stop_step, mask=jobs.stop_step < 0, type=pa.int64()),
            "context": _context_json(jobs, columns),
        },
        schema=RUNS_SCHEMA,
    )


def _phase_names(phase: np.ndarray) -> np.ndarray:
    """Phase names of phase indexes; -1 (no phase) gives an empty name."""
    return np.asarray((*run_errors.PHASES, ""), dtype=object)[phase]


def _context_json(jobs: DayJobs, columns: _JobColumns) -> pa.Array:
    """Operational context a run log carries: where it ran, for whom, how far it got."""
    gpu = take(catalog.WORKER_GPUS, jobs.worker)
    context = cat(
        '{"worker": "', columns.worker,
        '", "gpu": "', gpu,
        '", "project": "', columns.project,
        '", "creator": "', columns.creator,
        '", "scene_id": "', columns.scene_id,
        '", "segments_planned": ', num("%d", jobs.planned),
        ', "segments_done": ', num("%d", jobs.produced),
        ', "queue_wait_s": ', num("%.1f", jobs.queue_wait),
    )  # fmt: skip
    cancelled_by = cat(', "cancelled_by": "', columns.creator, '"}')
    closing = pc.if_else(pa.array(jobs.status == CANCELLED), cancelled_by, pa.scalar("}"))
    return cat(context, closing)


def _quality_scores_table(
    rng: np.random.Generator,
    config: DemoConfig,
    jobs: DayJobs,
    columns: _JobColumns,
    first: int,
    last: int,
) -> tuple[pa.Table, int, int]:
    """Check rows of the segments of jobs [first, last), with segment and failed counts."""
    counts = jobs.produced[first:last]
    seg_job = np.repeat(np.arange(first, last), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    position = np.arange(len(seg_job)) - starts + 1
    n = len(seg_job)

    segments = pd.DataFrame(
        {
            "workflow": pd.Categorical.from_codes(jobs.workflow[seg_job], catalog.WORKFLOWS),
            "workflow_version": np.asarray(jobs.workflow_versions, dtype=object)[
                jobs.workflow[seg_job]
            ],
            "model": pd.Categorical.from_codes(jobs.model[seg_job], catalog.MODELS),
            "model_version": np.asarray(jobs.model_versions, dtype=object)[jobs.model[seg_job]],
            "lora": pd.Categorical.from_codes(jobs.lora[seg_job], catalog.LORAS),
            "character": pd.Categorical.from_codes(jobs.character[seg_job], catalog.CHARACTERS),
            "scene_type": pd.Categorical.from_codes(jobs.scene_type[seg_job], catalog.SCENE_TYPES),
            "segment_position": position,
        }
    )
    # Draw u for every segment in both modes: effects only move the failure threshold, so the
    # no-effects data fails on a subset of the same segments.
    draw = rng.random(n)
    rate = PLANTED.failure_rate(segments, config.effects, jobs.day, config.days)
    failed = draw < rate
    applied = (
        PLANTED.applied_effect(segments, jobs.day, config.days)
        if config.effects
        else np.full(n, -1)
    )
    dominant = np.asarray(
        [checks.CHECK_NAMES.index(e.dominant_check) for e in PLANTED.effects] + [-1]
    )[applied]
    # Failures the base rate alone would have caused look like background failures.
    dominant = np.where(failed & (draw >= PLANTED.base_rate), dominant, -1)

    seg_index = pa.array(seg_job)
    outcome = checks.SegmentOutcomes(
        has_character=jobs.character[seg_job] >= 0,
        scene_type=jobs.scene_type[seg_job],
        character=columns.character.take(seg_index),
        failed=failed,
        dominant_check=dominant,
    )
    rows = checks.draw_checks(rng, outcome)

    row_job = pa.array(seg_job[rows.segment])
    row_position = position[rows.segment]
    run_hex = columns.run_hex.take(row_job)
    position_text = take(POSITION_TEXT, row_position)  # faster than formatting per row
    check_code = take([check.code for check in checks.CHECKS], rows.check)
    evaluated = jobs.evaluated_at[seg_job[rows.segment], row_position - 1]
    table = pa.table(
        {
            "score_id": cat("qs-", run_hex, "-", position_text, "-", check_code),
            "evaluated_at": _timestamps(config, jobs.day, evaluated),
            "job_id": columns.run_id.take(row_job),
            "scene_id": columns.scene_id.take(row_job),
            "segment_id": cat("seg-", run_hex, "-", position_text),
            "segment_position": pa.array(row_position, type=pa.int64()),
            "workflow": columns.workflow.take(row_job),
            "workflow_version": columns.workflow_version.take(row_job),
            "model": columns.model.take(row_job),
            "model_version": columns.model_version.take(row_job),
            "lora": columns.lora.take(row_job),
            "character": columns.character.take(row_job),
            "scene_type": columns.scene_type.take(row_job),
            "check_name": checks.check_names(rows.check),
            "score": pa.array(rows.score, type=pa.float64()),
            "threshold": pa.array(rows.threshold, type=pa.float64()),
            "passed": pa.array(rows.passed),
            "failure_reason": rows.failure_reason,
            "creator": columns.creator.take(row_job),
            "project": columns.project.take(row_job),
        },
        schema=QUALITY_SCORES_SCHEMA,
    )
    return table, n, int(failed.sum())


def generate(config: DemoConfig) -> Iterator[Batch]:
    """All batches of the period, day by day."""
    for day in range(config.days):
        yield from generate_day(config, day)
