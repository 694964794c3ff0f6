"""Quality-gate checks of one segment: which run, which failed, their scores and reasons.

A segment's failure is drawn first (from its planted rate); only then are the failing checks
picked. So checks never change a segment's failure probability, and the per-segment truth in
`spec.py` stays exact however many checks a segment has.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from failmap.demo import catalog
from failmap.demo.text import cat, num, take


@dataclass(frozen=True)
class Check:
    """A quality gate: passes when score >= threshold."""

    name: str
    code: str  # suffix of score_id
    threshold: float
    base_weight: float  # how often it is the failing check of a background failure


CHECKS: tuple[Check, ...] = (
    Check("face_consistency", "fc", 0.65, 0.12),
    Check("motion_artifacts", "ma", 0.70, 0.35),
    Check("flicker", "fl", 0.75, 0.25),
    Check("color_drift", "cd", 0.80, 0.20),
    Check("lip_sync", "ls", 0.60, 0.08),
)
CHECK_NAMES: tuple[str, ...] = tuple(check.name for check in CHECKS)
FACE, MOTION, FLICKER, COLOR, LIP = range(len(CHECKS))
# Lip sync is only checked where someone speaks on screen.
SPEAKING_SCENE_TYPES: tuple[str, ...] = ("dialogue", "closeup")
# A planted cause makes its dominant check the failing one this often.
DOMINANT_SHARE = 0.75
# How many checks fail in a failing segment: 1, 2 or 3 (capped by the checks it has).
FAILED_CHECK_COUNT_WEIGHTS: tuple[float, ...] = (0.75, 0.20, 0.05)
# Failed scores stay at least this far below the threshold, so reasons never read "0.35 > 0.35".
FAIL_MARGIN = 0.01
MIN_FAILED_SCORE = 0.02


@dataclass(frozen=True)
class SegmentOutcomes:
    """Per segment (one row each): what the check generator needs to know."""

    has_character: np.ndarray  # bool
    scene_type: np.ndarray  # codes into catalog.SCENE_TYPES
    character: pa.Array  # nullable names, for the face reason
    failed: np.ndarray  # bool
    dominant_check: np.ndarray  # CHECKS index of the planted cause, -1 = background failure


@dataclass(frozen=True)
class CheckRows:
    """One row per check run; `segment` indexes the segment each row belongs to."""

    segment: np.ndarray
    check: np.ndarray  # CHECKS index
    score: np.ndarray
    threshold: np.ndarray
    passed: np.ndarray
    failure_reason: pa.Array  # null where passed


def available_checks(has_character: np.ndarray, scene_type: np.ndarray) -> np.ndarray:
    """(segments, checks) mask: motion, flicker and colour always; face with a character;
    lip sync with a character in a speaking scene. So 3 to 5 checks per segment."""
    speaking = np.isin(scene_type, [catalog.SCENE_TYPES.index(s) for s in SPEAKING_SCENE_TYPES])
    available = np.ones((len(has_character), len(CHECKS)), dtype=bool)
    available[:, FACE] = has_character
    available[:, LIP] = has_character & speaking
    return available


def draw_checks(rng: np.random.Generator, segments: SegmentOutcomes) -> CheckRows:
    """Check rows of a batch of segments, in segment order then CHECKS order."""
    n = len(segments.failed)
    available = available_checks(segments.has_character, segments.scene_type)

    base = np.array([check.base_weight for check in CHECKS])
    weight = np.tile(base / base.sum(), (n, 1))
    caused = segments.dominant_check >= 0
    weight[caused] *= 1.0 - DOMINANT_SHARE
    weight[np.flatnonzero(caused), segments.dominant_check[caused]] += DOMINANT_SHARE
    # Weighted sampling without replacement (Gumbel top-k): rank checks by log weight + noise.
    with np.errstate(divide="ignore"):
        key = np.where(available, np.log(weight), -np.inf) + rng.gumbel(size=(n, len(CHECKS)))
    rank = np.argsort(np.argsort(-key, axis=1), axis=1)
    count_weights = np.asarray(FAILED_CHECK_COUNT_WEIGHTS)
    failing_count = np.searchsorted(np.cumsum(count_weights), rng.random(n), side="right") + 1
    failing_count = np.minimum(failing_count, available.sum(axis=1))
    failing = (rank < failing_count[:, None]) & segments.failed[:, None] & available

    threshold = np.array([check.threshold for check in CHECKS])[None, :]
    passed_score = threshold + (1.0 - threshold) * rng.beta(4.0, 1.6, size=(n, len(CHECKS)))
    failed_score = MIN_FAILED_SCORE + (threshold - FAIL_MARGIN - MIN_FAILED_SCORE) * rng.beta(
        3.0, 1.8, size=(n, len(CHECKS))
    )
    # Clamp, then round: 4 decimals on both sides of a 2-decimal threshold keep pass/fail.
    score = np.where(
        failing,
        np.minimum(failed_score, threshold - FAIL_MARGIN),
        np.clip(passed_score, threshold, 1.0),
    )
    score = np.round(score, 4)
    extra = rng.random((n, len(CHECKS), 2))

    segment, check = np.nonzero(available)
    rows = CheckRows(
        segment=segment,
        check=check,
        score=score[segment, check],
        threshold=threshold[0, check],
        passed=~failing[segment, check],
        failure_reason=pa.nulls(len(segment), pa.string()),
    )
    return replace(rows, failure_reason=_failure_reasons(rows, segments, extra[segment, check]))


def _failure_reasons(rows: CheckRows, segments: SegmentOutcomes, extra: np.ndarray) -> pa.Array:
    """Readable reasons whose numbers agree with the score (worse score, worse number)."""
    reasons = pa.nulls(len(rows.check), pa.string())
    for index in range(len(CHECKS)):
        where = np.flatnonzero(~rows.passed & (rows.check == index))
        if len(where) == 0:
            continue
        gap = rows.threshold[where] - rows.score[where]  # >= FAIL_MARGIN
        u, v = extra[where, 0], extra[where, 1]
        if index == FACE:
            character = pc.fill_null(segments.character.take(pa.array(rows.segment[where])), "?")
            text = cat(
                "face embedding distance ",
                num("%.2f", 1.0 - rows.score[where]),
                " > 0.35 vs ",
                character,
                " reference",
            )
        elif index == MOTION:
            frames = np.asarray([48, 72, 96])[(u * 3).astype(int)]
            warped = np.maximum(1, np.ceil(frames * gap * (0.4 + 0.6 * v))).astype(int)
            text = cat(
                "warping artifacts in ",
                num("%d", warped),
                " of ",
                num("%d", frames),
                " frames (max flow residual ",
                num("%.1f", 2.0 + 12.0 * gap),
                " px)",
            )
        elif index == FLICKER:
            first = (u * 80).astype(int)
            text = cat(
                "luminance flicker ",
                num("%.3f", 0.05 + 0.25 * gap),
                " > 0.050 between frames ",
                num("%d", first),
                "-",
                num("%d", first + 3 + (v * 10).astype(int)),
            )
        elif index == COLOR:
            text = cat(
                "color drift ΔE ",
                num("%.1f", 4.0 + 20.0 * gap),
                " > 4.0 vs scene reference",
            )
        else:
            text = cat(
                "lip-sync offset ",
                num("%d", 80 + np.ceil(600.0 * gap).astype(int)),
                " ms > 80 ms (SyncNet confidence ",
                num("%.1f", 1.0 + 5.0 * rows.score[where]),
                ")",
            )
        mask = np.zeros(len(rows.check), dtype=bool)
        mask[where] = True
        reasons = pc.replace_with_mask(reasons, pa.array(mask), text)
    return reasons


def check_names(check: np.ndarray) -> pa.Array:
    """Check names of check indexes."""
    return take(CHECK_NAMES, check)
