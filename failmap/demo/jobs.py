"""One day of generation jobs (= runs): configuration, outcome and timing of each job.

Everything is drawn for a surplus of jobs in one vectorized pass, then cut where the day's
produced segments reach `segments_per_day`, so volumes are exact to within one scene.
Random draws never depend on `effects`: with effects off the very same jobs run, and only
failure outcomes (and the kind of some run errors) differ.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from failmap.demo import catalog, run_errors
from failmap.demo.spec import PLANTED

SUCCEEDED, FAILED, CANCELLED = 0, 1, 2
STATUSES: tuple[str, ...] = ("succeeded", "failed", "cancelled")
LOAD_MODEL, PREPROCESS, GENERATE, UPSCALE, ENCODE, UPLOAD = range(len(run_errors.PHASES))

# Seconds per phase (uniform ranges). Jobs start before LAST_START so that the longest job
# (45 + 25 + 12 * 110 + 70 + 20 + 12 s < 25 min) ends the same UTC day: a day then holds
# only one version of everything, which keeps version changes exact.
PHASE_SECONDS: dict[str, tuple[int, int]] = {
    "load_model": (8, 45),
    "preprocess": (4, 25),
    "upscale": (15, 70),
    "encode": (4, 20),
    "upload": (2, 12),
}
SEGMENT_SECONDS = (35, 110)  # generation plus quality gate, per segment
LAST_START = 86_400 - 30 * 60
BUSY_HOURS_SHARE, BUSY_HOURS_MEAN, BUSY_HOURS_SD = 0.65, 14.0 * 3600, 3.5 * 3600

RECOVERED_SUCCESS_SHARE = 0.03  # succeeded jobs that survived a transient error
FAILED_WITH_EARLIER_TRANSIENT_SHARE = 0.20
RETRY_SHARE_RETRYABLE, RETRY_SHARE_OTHER = 0.70, 0.15


@dataclass(frozen=True)
class DayJobs:
    """The jobs of one day, sorted by start time (one array entry per job)."""

    day: int
    workflow: np.ndarray  # codes into catalog.WORKFLOWS
    model: np.ndarray
    scene_type: np.ndarray
    character: np.ndarray  # -1 = none
    lora: np.ndarray  # -1 = none
    workflow_versions: tuple[str, ...]  # version per workflow code on this day
    model_versions: tuple[str, ...]
    project: np.ndarray
    creator: np.ndarray
    worker: np.ndarray
    planned: np.ndarray  # scene length 3..12
    produced: np.ndarray  # segments evaluated (== planned unless failed/cancelled mid-way)
    status: np.ndarray
    failed_phase: np.ndarray  # -1 unless failed
    stop_step: np.ndarray  # step index where a failed/cancelled job stopped, -1 otherwise
    family: np.ndarray  # ERROR_FAMILIES index of the fatal error, -1 unless failed
    transient_phase: np.ndarray  # phase of a recovered transient error, -1 = none
    transient_family: np.ndarray
    recovery_attempted: np.ndarray  # bool
    started_at: np.ndarray  # seconds since the day's midnight
    finished_at: np.ndarray
    evaluated_at: np.ndarray  # (jobs, 12) seconds since midnight per segment position
    queue_wait: np.ndarray  # seconds

    def __len__(self) -> int:
        return len(self.status)


def day_rng(seed: int, day: int, stream: int, *more: int) -> np.random.Generator:
    """Independent random stream per (seed, day, purpose): days can be generated in any order."""
    return np.random.default_rng([seed, day, stream, *more])


def draw_day_jobs(seed: int, day: int, segments_per_day: int, effects: bool) -> DayJobs:
    """Jobs of day offset `day` whose produced segments just reach `segments_per_day`."""
    surplus = segments_per_day // 4 + 32
    attempt = 0
    while True:
        jobs = _draw_jobs(day_rng(seed, day, 0, attempt), day, surplus, effects)
        total = np.cumsum(jobs["produced"])
        if total[-1] >= segments_per_day:
            break
        surplus, attempt = surplus * 2, attempt + 1  # rare: small days with many failures
    keep = int(np.searchsorted(total, segments_per_day)) + 1
    order = np.argsort(jobs["started_at"][:keep], kind="stable")
    kept = {name: values[:keep][order] for name, values in jobs.items()}
    return DayJobs(
        day=day,
        workflow_versions=tuple(PLANTED.version_on("workflow", w, day) for w in catalog.WORKFLOWS),
        model_versions=tuple(PLANTED.version_on("model", m, day) for m in catalog.MODELS),
        **kept,
    )


def _categorical(rng: np.random.Generator, probabilities: tuple[float, ...], n: int) -> np.ndarray:
    cumulative = np.cumsum(catalog.weights(probabilities))
    return np.minimum(np.searchsorted(cumulative, rng.random(n), side="right"), len(cumulative) - 1)


def _rows_categorical(rng: np.random.Generator, matrix: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One draw per entry of `rows` from that row of a probability matrix."""
    cumulative = np.cumsum(matrix, axis=1)[rows]
    drawn = (cumulative < rng.random(len(rows))[:, None] * cumulative[:, -1:]).sum(axis=1)
    return np.minimum(drawn, matrix.shape[1] - 1)


def _draw_jobs(rng: np.random.Generator, day: int, n: int, effects: bool) -> dict[str, np.ndarray]:
    workflow = _categorical(rng, catalog.WORKFLOW_WEIGHTS, n)
    model = _rows_categorical(rng, catalog.model_mix(), workflow)
    scene_type = _categorical(rng, catalog.SCENE_TYPE_WEIGHTS, n)
    presence = np.asarray(catalog.CHARACTER_PRESENCE_BY_SCENE_TYPE)[scene_type]
    has_character = rng.random(n) < presence
    character = np.where(has_character, _categorical(rng, catalog.CHARACTER_WEIGHTS, n), -1)
    mix = catalog.lora_mix()
    lora = _rows_categorical(rng, mix, np.where(has_character, character, len(catalog.CHARACTERS)))
    lora = np.where(lora == len(catalog.LORAS), -1, lora)
    planned = np.asarray(catalog.SCENE_LENGTHS)[_categorical(rng, catalog.SCENE_LENGTH_WEIGHTS, n)]
    project = _categorical(rng, catalog.PROJECT_WEIGHTS, n)
    creator = rng.integers(0, len(catalog.CREATORS), size=n)
    worker = rng.integers(0, len(catalog.WORKERS), size=n)

    status_draw = rng.random(n)
    status = np.where(status_draw < PLANTED.run_failed_share, FAILED, SUCCEEDED)
    cancelled_upper = PLANTED.run_failed_share + PLANTED.run_cancelled_share
    status = np.where((status_draw >= PLANTED.run_failed_share) & (status_draw < cancelled_upper),
                      CANCELLED, status)  # fmt: skip
    phase = _categorical(rng, run_errors.FAILED_PHASE_WEIGHTS, n)
    phase = np.where(status == FAILED, phase, -1)
    family = _rows_categorical(rng, run_errors.family_matrix(), np.maximum(phase, 0))
    override_draw = rng.random(n)
    if effects:
        family = _apply_run_error_effects(family, phase, workflow, model, override_draw)
    family = np.where(status == FAILED, family, -1)
    # The segment being generated when a job failed in generate or was cancelled (1..planned).
    stop_position = 1 + np.floor(rng.random(n) * planned).astype(int)
    produced = _produced(status, phase, planned, stop_position)

    retryable = np.isin(
        family,
        [i for i, f in enumerate(run_errors.ERROR_FAMILIES)
         if f.category in run_errors.RETRYABLE_CATEGORIES],
    )  # fmt: skip
    retry_share = np.where(retryable, RETRY_SHARE_RETRYABLE, RETRY_SHARE_OTHER)
    retried = (status == FAILED) & (rng.random(n) < retry_share)
    transient_phase, transient_family = _draw_transients(rng, status, phase)

    durations = {
        name: rng.integers(low, high + 1, size=n) for name, (low, high) in PHASE_SECONDS.items()
    }
    segment_seconds = rng.integers(*SEGMENT_SECONDS, size=(n, catalog.MAX_SCENE_LENGTH))
    busy = rng.random(n) < BUSY_HOURS_SHARE
    clock = np.where(
        busy,
        rng.normal(BUSY_HOURS_MEAN, BUSY_HOURS_SD, size=n) % LAST_START,
        rng.uniform(0, LAST_START, size=n),
    )
    started_at = clock.astype(np.int64)
    fraction = rng.random(n)
    queue_wait = np.round(rng.exponential(20.0, size=n), 1)

    generation_start = started_at + durations["load_model"] + durations["preprocess"]
    evaluated_at = generation_start[:, None] + np.cumsum(segment_seconds, axis=1)
    finished_at = _finished_at(
        status, phase, planned, stop_position, started_at, durations, segment_seconds, fraction
    )
    stop_step = np.select(
        [status == CANCELLED, phase < GENERATE, phase == GENERATE, phase > GENERATE],
        [stop_position + 1, phase, stop_position + 1, planned + phase - 1],
        default=-1,
    )
    stop_step = np.where(status == SUCCEEDED, -1, stop_step)
    return {
        "workflow": workflow,
        "model": model,
        "scene_type": scene_type,
        "character": character,
        "lora": lora,
        "project": project,
        "creator": creator,
        "worker": worker,
        "planned": planned,
        "produced": produced,
        "status": status,
        "failed_phase": phase,
        "stop_step": stop_step,
        "family": family,
        "transient_phase": transient_phase,
        "transient_family": transient_family,
        "recovery_attempted": retried | (transient_phase >= 0),
        "started_at": started_at,
        "finished_at": finished_at,
        "evaluated_at": evaluated_at,
        "queue_wait": queue_wait,
    }


def _apply_run_error_effects(
    family: np.ndarray,
    phase: np.ndarray,
    workflow: np.ndarray,
    model: np.ndarray,
    draw: np.ndarray,
) -> np.ndarray:
    """Configuration-specific errors (planted): swap the family, never the phase."""
    codes = {"workflow": (workflow, catalog.WORKFLOWS), "model": (model, catalog.MODELS)}
    for effect in PLANTED.run_error_effects:
        target = run_errors.FAMILY_INDEX[effect.family]
        allowed = [run_errors.PHASES.index(p) for p in run_errors.ERROR_FAMILIES[target].phases]
        match = np.isin(phase, allowed) & (draw < effect.share)
        for dimension, value in effect.dims.items():
            values, names = codes[dimension]
            match &= values == names.index(value)
        family = np.where(match, target, family)
    return family


def _produced(
    status: np.ndarray, phase: np.ndarray, planned: np.ndarray, stop_position: np.ndarray
) -> np.ndarray:
    """Segments that reached the quality gate: none before generate, those before the stop
    when failing in generate or cancelled, all when failing after generate."""
    before_stop = stop_position - 1
    failed = np.select(
        [phase < GENERATE, phase == GENERATE], [np.zeros_like(planned), before_stop], planned
    )
    return np.select([status == FAILED, status == CANCELLED], [failed, before_stop], planned)


def _finished_at(
    status: np.ndarray,
    phase: np.ndarray,
    planned: np.ndarray,
    stop_position: np.ndarray,
    started_at: np.ndarray,
    durations: dict[str, np.ndarray],
    segment_seconds: np.ndarray,
    fraction: np.ndarray,
) -> np.ndarray:
    """End of the last phase, or the moment a job failed or was cancelled."""
    rows = np.arange(len(status))
    cumulative = np.concatenate(
        [np.zeros((len(status), 1), dtype=np.int64), np.cumsum(segment_seconds, axis=1)], axis=1
    )
    load, pre = durations["load_model"], durations["preprocess"]
    up, enc, upl = durations["upscale"], durations["encode"], durations["upload"]
    generated = started_at + load + pre + cumulative[rows, planned]
    stopped_in_generation = (
        started_at
        + load
        + pre
        + cumulative[rows, stop_position - 1]
        + (fraction * segment_seconds[rows, stop_position - 1]).astype(np.int64)
    )
    failed_at = np.select(
        [phase == LOAD_MODEL, phase == PREPROCESS, phase == GENERATE, phase == UPSCALE,
         phase == ENCODE],
        [started_at + (fraction * load).astype(np.int64),
         started_at + load + (fraction * pre).astype(np.int64),
         stopped_in_generation,
         generated + (fraction * up).astype(np.int64),
         generated + up + (fraction * enc).astype(np.int64)],
        default=generated + up + enc + (fraction * upl).astype(np.int64),
    )  # fmt: skip
    done = generated + up + enc + upl
    return np.select(
        [status == FAILED, status == CANCELLED], [failed_at, stopped_in_generation], done
    )


def _draw_transients(
    rng: np.random.Generator, status: np.ndarray, phase: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Recovered transient errors: in a phase a succeeded job passed, or before a failed job's
    fatal phase."""
    n = len(status)
    candidates = [run_errors.PHASES.index(p) for p in run_errors.TRANSIENT_FAMILIES_BY_PHASE]
    chosen = np.asarray(candidates)[rng.integers(0, len(candidates), size=n)]
    draw = rng.random(n)
    has = np.where(
        status == SUCCEEDED,
        draw < RECOVERED_SUCCESS_SHARE,
        (status == FAILED) & (draw < FAILED_WITH_EARLIER_TRANSIENT_SHARE) & (chosen < phase),
    )
    transient_phase = np.where(has, chosen, -1)
    family = np.full(n, -1)
    family_draw = rng.random(n)
    for phase_name, families in run_errors.TRANSIENT_FAMILIES_BY_PHASE.items():
        index = [run_errors.FAMILY_INDEX[f] for f in families]
        pick = np.asarray(index)[(family_draw * len(index)).astype(int)]
        family = np.where(transient_phase == run_errors.PHASES.index(phase_name), pick, family)
    return transient_phase, family


def day_epoch_seconds(start: dt.date, day: int) -> int:
    """Unix seconds of 00:00 UTC on day offset `day`."""
    return (start - dt.date(1970, 1, 1)).days * 86_400 + day * 86_400
