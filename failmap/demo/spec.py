"""The planted truth of the demo data: which failure rates differ, by how much, and since when.

Other parts of failmap test their statistics against this module, so it is the one place that
states the truth. The generator draws every segment's failure from `PLANTED.failure_rate`,
which reads only columns that are in the files (dimensions, versions, position), so anyone can
recompute the exact intended probability of any row or combination from the data alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from failmap.demo import catalog
from failmap.demo.run_errors import ERROR_FAMILIES, ErrorFamily
from failmap.dimensions import DIMENSIONS
from failmap.pattern_keys import combination_key

Verdict = Literal["regression", "improvement", "no_change"]

# Lower bounds of the pattern engine's segment_position buckets (dbt var
# `segment_position_buckets`) and their labels.
POSITION_BUCKET_LOWER_BOUNDS: tuple[int, ...] = (1, 4, 6)
POSITION_BUCKET_LABELS: tuple[str, ...] = ("1-3", "4-5", "6+")

PATTERN_DIMENSIONS = DIMENSIONS  # failmap.dimensions: the one definition


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class PlantedEffect:
    """Segments matching all of `dims` fail with probability `rate` (instead of the base rate).

    `dims` may name version columns (`model_version`, `workflow_version`) besides pattern
    dimensions; `segment_position` is matched on its bucket label. When several effects match
    one segment, the highest rate applies (effects never add up).
    """

    name: str
    dims: Mapping[str, str]
    rate: float
    dominant_check: str  # the quality check that usually fails for this cause
    description: str
    alias: Mapping[str, str] | None = None  # other dims selecting exactly the same segments
    # Days (offsets from the start date) the effect is on: from `from_day` (inclusive) until
    # `until_day` (exclusive); None = unbounded. A negative value counts from the end of the
    # data (-2 with 60 days is day 58: the last two days), so an "emerging" effect stays at
    # the end whatever the length of the period.
    from_day: int | None = None
    until_day: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "dims", _frozen(self.dims))
        if self.alias is not None:
            object.__setattr__(self, "alias", _frozen(self.alias))

    @property
    def is_timed(self) -> bool:
        """True when the effect is on only on some days."""
        return self.from_day is not None or self.until_day is not None

    def is_on(self, day: np.ndarray | int, days: int | None) -> np.ndarray:
        """Whether the effect is on at day offset(s) `day` of a period of `days` days."""
        day = np.asarray(day)
        on = np.ones(day.shape, dtype=bool)
        for bound, is_lower in ((self.from_day, True), (self.until_day, False)):
            if bound is None:
                continue
            if bound < 0:
                if days is None:
                    raise ValueError(f"effect {self.name} counts from the end: pass days=")
                bound = days + bound
            on &= (day >= bound) if is_lower else (day < bound)
        return on


@dataclass(frozen=True)
class VersionChange:
    """From the first second of day `day` (offset from the start date, 00:00 UTC) on, every
    new job of `dimension=value` runs `to_version` instead of `from_version`.

    Jobs never span midnight, so a day holds either only old or only new versions.
    """

    dimension: Literal["workflow", "model"]
    value: str
    from_version: str
    to_version: str
    day: int
    verdict: Verdict
    rate_before: float  # planted rate of a segment of this value with no other effect
    rate_after: float
    rollback_of: int | None = None  # index in `version_changes` of the change this undoes

    def changed_on(self, start: dt.date) -> dt.date:
        """The calendar day the change takes effect for data starting on `start`."""
        return start + dt.timedelta(days=self.day)


@dataclass(frozen=True)
class ExpectedPattern:
    """A combination a correct pattern engine surfaces over the whole default window.

    The counts are measured on the default data (60 days x 1000 segments/day, seed 1, any
    start date); a test keeps them exact.
    """

    dims: Mapping[str, str]
    failure_count: int
    total_count: int
    caused_by: str  # PlantedEffect.name
    alias: Mapping[str, str] | None = None
    # What the engine's status says at the end of the default window (docs/patterns.md).
    status: Literal["emerging", "active", "resolved"] = "active"
    # None: the counts are over the whole period. A number: the pattern is visible only in the
    # recent window of this many days (the whole history dilutes it), and the counts are the
    # window's.
    window_days: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "dims", _frozen(self.dims))
        if self.alias is not None:
            object.__setattr__(self, "alias", _frozen(self.alias))

    @property
    def failure_rate(self) -> float:
        """Measured failure rate on the default data."""
        return self.failure_count / self.total_count

    @property
    def pattern_key(self) -> str:
        """The engine's stable key, dimensions in the architecture's order."""
        return pattern_key(self.dims)


@dataclass(frozen=True)
class RunErrorEffect:
    """Among failed jobs matching `dims` whose failing phase allows it, a share `share` fails
    with error family `family` (a configuration-specific error, e.g. a big model running out
    of GPU memory). Only the kind of error changes, never whether or where a job fails, so run
    volumes and produced segments are identical with effects on and off.
    """

    dims: Mapping[str, str]
    family: str
    share: float
    description: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "dims", _frozen(self.dims))


@dataclass(frozen=True)
class PlantedSpec:
    """Everything that is true by construction in the demo data."""

    base_rate: float
    effects: tuple[PlantedEffect, ...]
    version_changes: tuple[VersionChange, ...]
    expected_patterns: tuple[ExpectedPattern, ...]
    run_error_effects: tuple[RunErrorEffect, ...]
    run_failed_share: float
    run_cancelled_share: float
    # Truth for error grouping: every run error message matches exactly one family's regex.
    error_families: tuple[ErrorFamily, ...]
    position_bucket_lower_bounds: tuple[int, ...] = POSITION_BUCKET_LOWER_BOUNDS
    position_bucket_labels: tuple[str, ...] = POSITION_BUCKET_LABELS
    default_days: int = 60
    default_segments_per_day: int = 1000
    default_seed: int = 1

    def to_dict(self) -> dict[str, Any]:
        """The truth as plain JSON-ready data, for consumers outside Python (dbt seeds, docs)."""
        return {
            "base_rate": self.base_rate,
            "position_buckets": dict(
                zip(self.position_bucket_labels, self.position_bucket_lower_bounds, strict=True)
            ),
            "effects": [
                {
                    "name": e.name,
                    "dims": dict(e.dims),
                    "rate": e.rate,
                    "alias": dict(e.alias) if e.alias else None,
                    "dominant_check": e.dominant_check,
                    "from_day": e.from_day,
                    "until_day": e.until_day,
                }
                for e in self.effects
            ],
            "version_changes": [
                {
                    "dimension": c.dimension,
                    "value": c.value,
                    "from_version": c.from_version,
                    "to_version": c.to_version,
                    "day": c.day,
                    "verdict": c.verdict,
                    "rate_before": c.rate_before,
                    "rate_after": c.rate_after,
                    "rollback_of": c.rollback_of,
                }
                for c in self.version_changes
            ],
            "expected_patterns": [
                {
                    "pattern_key": p.pattern_key,
                    "dims": dict(p.dims),
                    "alias": dict(p.alias) if p.alias else None,
                    "failure_count": p.failure_count,
                    "total_count": p.total_count,
                    "caused_by": p.caused_by,
                    "status": p.status,
                    "window_days": p.window_days,
                }
                for p in self.expected_patterns
            ],
            "run_error_effects": [
                {"dims": dict(r.dims), "family": r.family, "share": r.share}
                for r in self.run_error_effects
            ],
            "run_failed_share": self.run_failed_share,
            "run_cancelled_share": self.run_cancelled_share,
            "error_families": [
                {
                    "id": f.id,
                    "category": f.category,
                    "error_code": f.error_code,
                    "phases": list(f.phases),
                    "regex": f.regex,
                }
                for f in self.error_families
            ],
            "default_window": {
                "days": self.default_days,
                "segments_per_day": self.default_segments_per_day,
                "seed": self.default_seed,
            },
        }

    def expected(self, effects: bool = True) -> tuple[ExpectedPattern, ...]:
        """Patterns a correct engine surfaces on the default window; none without effects."""
        return self.expected_patterns if effects else ()

    def version_on(self, dimension: str, value: str, day: int) -> str:
        """The version of `dimension=value` used by jobs on day offset `day`."""
        initial = (
            catalog.WORKFLOW_INITIAL_VERSIONS
            if dimension == "workflow"
            else catalog.MODEL_INITIAL_VERSIONS
        )
        version = initial[value]
        for change in sorted(self.version_changes, key=lambda c: c.day):
            if change.dimension == dimension and change.value == value and change.day <= day:
                version = change.to_version
        return version

    def applied_effect(
        self,
        segments: pd.DataFrame,
        day: np.ndarray | int | None = None,
        days: int | None = None,
    ) -> np.ndarray:
        """Index into `effects` of the effect that sets each segment's rate, -1 where none.

        `segments` needs the columns the effects name (workflow, workflow_version, model,
        model_version, lora, character, scene_type, segment_position); any frame read back
        from the demo files works, one row per segment or per check. Effects that are on only
        on some days also need each row's day offset from the start (`day`, or a column
        `day_offset`) and the length of the period (`days`, or a column `period_days`).
        """
        applied = np.full(len(segments), -1)
        best = np.full(len(segments), self.base_rate)
        buckets = position_buckets(np.asarray(segments["segment_position"]))
        for index, effect in enumerate(self.effects):
            match = np.ones(len(segments), dtype=bool)
            for column, value in effect.dims.items():
                if column == "segment_position":
                    match &= buckets == value
                else:
                    match &= np.asarray(segments[column] == value, dtype=bool)
            if effect.is_timed:
                match &= effect.is_on(*self._days_of(segments, day, days))
            wins = match & (effect.rate > best)
            applied = np.where(wins, index, applied)
            best = np.where(wins, effect.rate, best)
        return applied

    @staticmethod
    def _days_of(
        segments: pd.DataFrame, day: np.ndarray | int | None, days: int | None
    ) -> tuple[np.ndarray, int | None]:
        if day is None:
            if "day_offset" not in segments:
                raise ValueError(
                    "some planted effects are on only on some days: pass day= (offset from the "
                    "start) or give the frame a day_offset column"
                )
            day = segments["day_offset"].to_numpy()
        if days is None and "period_days" in segments and len(segments):
            days = int(segments["period_days"].iloc[0])
        return np.broadcast_to(np.asarray(day), (len(segments),)), days

    def failure_rate(
        self,
        segments: pd.DataFrame,
        effects: bool = True,
        day: np.ndarray | int | None = None,
        days: int | None = None,
    ) -> np.ndarray:
        """Planted failure probability of each segment row (see `applied_effect`).

        With `effects=False` every segment has the base rate: the `--no-effects` data.
        """
        if not effects:
            return np.full(len(segments), self.base_rate)
        rates = np.array([effect.rate for effect in self.effects] + [self.base_rate])
        return rates[self.applied_effect(segments, day, days)]

    def current_rate(
        self, configurations: pd.DataFrame, day: int, days: int, effects: bool = True
    ) -> np.ndarray:
        """The true failure probability of each configuration on day offset `day`.

        `configurations` has the six pattern dimensions (workflow, model, lora, character,
        scene_type, segment_position: a position or a bucket label); the versions are the ones
        running that day. This is what a prediction of "the rate now" is measured against.
        """
        frame = configurations.copy()
        if not pd.api.types.is_numeric_dtype(frame["segment_position"]):
            lower = dict(zip(POSITION_BUCKET_LABELS, POSITION_BUCKET_LOWER_BOUNDS, strict=True))
            frame["segment_position"] = (
                frame["segment_position"].map(lambda p: lower.get(p, p)).astype(int)
            )
        for dimension in ("workflow", "model"):
            frame[f"{dimension}_version"] = [
                self.version_on(dimension, value, day) for value in frame[dimension]
            ]
        return self.failure_rate(frame, effects=effects, day=day, days=days)


def position_buckets(positions: np.ndarray) -> np.ndarray:
    """Bucket labels (`1-3`, `4-5`, `6+`) of segment positions, as the pattern engine forms them."""
    index = np.searchsorted(np.asarray(POSITION_BUCKET_LOWER_BOUNDS), positions, side="right") - 1
    return np.asarray(POSITION_BUCKET_LABELS, dtype=object)[index]


def pattern_key(dims: Mapping[str, str]) -> str:
    """`lora=l07|character=c12|segment_position=6+`: dimensions in the architecture's order."""
    return combination_key(dims)


BASE_RATE = 0.06

EFFECTS: tuple[PlantedEffect, ...] = (
    PlantedEffect(
        name="l07_c12_late_segments",
        dims={"lora": "l07", "character": "c12", "segment_position": "6+"},
        rate=0.55,
        dominant_check="face_consistency",
        description=(
            "Character c12 rendered with the borrowed LoRA l07 loses its face late in long "
            "scenes (segment 6 onwards). c12 uses l07 in 10% of its scenes."
        ),
    ),
    PlantedEffect(
        name="m03_action",
        dims={"model": "m03", "scene_type": "action"},
        rate=0.30,
        dominant_check="motion_artifacts",
        description="Model m03 produces motion artifacts in action scenes.",
    ),
    PlantedEffect(
        name="c14_alias_l14",
        dims={"character": "c14"},
        rate=0.22,
        dominant_check="face_consistency",
        alias={"lora": "l14"},
        description=(
            "Character c14 fails face consistency. c14 always uses LoRA l14 and l14 is never "
            "used without c14, so character=c14 and lora=l14 select exactly the same segments."
        ),
    ),
    PlantedEffect(
        name="m02_1.5_regression",
        dims={"model": "m02", "model_version": "1.5"},
        rate=0.25,
        dominant_check="flicker",
        description="Model m02 1.5 flickers badly; it is rolled back to 1.4 after a week.",
    ),
    PlantedEffect(
        name="w02_2.0_before_fix",
        dims={"workflow": "w02", "workflow_version": "2.0"},
        rate=0.14,
        dominant_check="color_drift",
        description="Workflow w02 2.0 drifts in colour; version 2.1 fixes it (back to base).",
    ),
    PlantedEffect(
        name="l16_until_day_30",
        dims={"lora": "l16"},
        rate=0.25,
        dominant_check="color_drift",
        description=(
            "Style LoRA l16 breaks colour until day 30, when its file is replaced: a pattern "
            "that ends mid-way and must read as resolved afterwards."
        ),
        until_day=30,
    ),
    PlantedEffect(
        name="m02_night_emerging",
        dims={"model": "m02", "scene_type": "night"},
        rate=0.45,
        dominant_check="flicker",
        description=(
            "Model m02 starts flickering in night scenes on the last two days (~35 segments a "
            "day, 6% -> 45%): an emerging 2-way pattern that the whole history dilutes to 7%."
        ),
        from_day=-2,
    ),
    PlantedEffect(
        name="m04_1.1_regression",
        dims={"model": "m04", "model_version": "1.1"},
        rate=0.20,
        dominant_check="motion_artifacts",
        description="Model m04 1.1 (from day 50 on, never rolled back) fails 20% of segments.",
    ),
)

VERSION_CHANGES: tuple[VersionChange, ...] = (
    VersionChange("workflow", "w02", "2.0", "2.1", 20, "improvement", 0.14, BASE_RATE),
    # Day 44, not 30: l16 stops failing on day 30, and a change whose 14-day before/after
    # windows (change_before_days, change_after_days) straddled that day would compare m01 with
    # l16's failures against m01 without them. From day 44 both windows (days 30-57) lie after
    # it, and the 16 days left in the default window fill the after window.
    VersionChange("model", "m01", "3.1", "3.2", 44, "no_change", BASE_RATE, BASE_RATE),
    VersionChange("model", "m02", "1.4", "1.5", 40, "regression", BASE_RATE, 0.25),
    VersionChange("model", "m02", "1.5", "1.4", 47, "improvement", 0.25, BASE_RATE, 2),
    VersionChange("model", "m04", "1.0", "1.1", 50, "regression", BASE_RATE, 0.20),
)

# Over the default window (60 days x 1000 segments/day, seed 1) the global segment failure
# rate is 5780 / 60224 = 9.6%. The three configuration effects below are significant far beyond
# any multiple-testing threshold. The version effects are temporary (a week of m02 1.5, twenty
# days of w02 2.0): they are for trend and change detection, and over the whole window they
# lift m02 and w02 too little to be patterns (risk ratio 1.0 and 1.3, below the engine's 1.5);
# w02 never runs on m02, so the two cannot stack up into a w02+m02 combination. Every other
# elevated combination is a parent, child or overlap of these three and falls back to the base
# rate once the planted segments are set aside.
EXPECTED_PATTERNS: tuple[ExpectedPattern, ...] = (
    ExpectedPattern(
        dims={"lora": "l07", "character": "c12", "segment_position": "6+"},
        failure_count=54,
        total_count=104,
        caused_by="l07_c12_late_segments",
    ),
    ExpectedPattern(
        dims={"model": "m03", "scene_type": "action"},
        failure_count=846,
        total_count=2824,
        caused_by="m03_action",
    ),
    ExpectedPattern(
        dims={"character": "c14"},
        failure_count=491,
        total_count=2378,
        caused_by="c14_alias_l14",
        alias={"lora": "l14"},
    ),
    # Failed at 25% until day 30, then back at base: whole-history pattern, resolved since day 30.
    ExpectedPattern(
        dims={"lora": "l16"},
        failure_count=391,
        total_count=2137,
        caused_by="l16_until_day_30",
        status="resolved",
    ),
    # The last two days at 45%: 7% over the whole history; the 3-day window shows it.
    ExpectedPattern(
        dims={"model": "m02", "scene_type": "night"},
        failure_count=39,
        total_count=116,
        caused_by="m02_night_emerging",
        status="emerging",
        window_days=3,
    ),
    # m04 1.1 since day 50 (20%): 8% over the whole history; the 7-day window shows it.
    ExpectedPattern(
        dims={"model": "m04"},
        failure_count=303,
        total_count=1536,
        caused_by="m04_1.1_regression",
        window_days=7,
    ),
)

RUN_ERROR_EFFECTS: tuple[RunErrorEffect, ...] = (
    RunErrorEffect(
        dims={"model": "m04"},
        family="cuda_oom",
        share=0.6,
        description="m04 is the largest model: its failures in load_model/generate/upscale "
        "are mostly CUDA out of memory.",
    ),
    RunErrorEffect(
        dims={"workflow": "w03"},
        family="module_not_found",
        share=0.5,
        description="w03 depends on custom nodes that are often missing on a worker: half of "
        "its load_model/preprocess failures are ModuleNotFoundError.",
    ),
)

PLANTED = PlantedSpec(
    base_rate=BASE_RATE,
    effects=EFFECTS,
    version_changes=VERSION_CHANGES,
    expected_patterns=EXPECTED_PATTERNS,
    run_error_effects=RUN_ERROR_EFFECTS,
    run_failed_share=0.08,
    run_cancelled_share=0.01,
    error_families=ERROR_FAMILIES,
)
