"""The planted truth holds numerically on the default window, and nothing else is planted."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import numpy as np
import pandas as pd
import pytest
from conftest import START, Written
from demo_stats import (
    combination_counts,
    compatible,
    deviating_combinations,
    elevation_z,
    matches,
    planted_rate,
)
from scipy import stats

from failmap.demo import PLANTED
from failmap.demo.spec import PATTERN_DIMENSIONS, pattern_key

EFFECTS = {effect.name: effect for effect in PLANTED.effects}
# A pattern must clear this z against the global rate to count as "clearly" significant:
# far above a Bonferroni threshold over every combination (about 4.4 here).
CLEARLY_SIGNIFICANT_Z = 6.0


def _binomial_interval(rate: float, total: int, confidence: float = 0.999) -> tuple[float, float]:
    low, high = stats.binom.interval(confidence, total, rate)
    return low / total, high / total


@pytest.fixture(scope="module")
def combos(default_data: Written) -> pd.DataFrame:
    segments = default_data.segments
    return combination_counts(segments, planted_rate(segments))


def test_default_window_has_the_documented_volume(default_data: Written) -> None:
    summary = default_data.summary
    assert 60_000 <= summary.segment_count <= 60_000 + 60 * 11
    assert len(default_data.segments) == summary.segment_count
    assert summary.quality_score_rows == len(default_data.quality_scores)
    assert [(c.day, d) for c, d in summary.version_changes] == [
        (c.day, START + dt.timedelta(days=c.day)) for c in PLANTED.version_changes
    ]


@pytest.mark.parametrize("effect", PLANTED.effects, ids=lambda e: e.name)
def test_each_planted_effect_fails_at_its_rate(default_data: Written, effect) -> None:
    segments = default_data.segments
    # Segments whose rate this effect sets (not overridden by a stronger one).
    applied = PLANTED.applied_effect(segments) == PLANTED.effects.index(effect)
    assert applied.sum() >= 80
    # Stronger effects may override a weaker one on a few segments (w02 2.0 on m03 action
    # scenes loses ~11% of its segments to m03+action), never on most of them.
    matching = matches(segments, effect.dims)
    if effect.is_timed:  # only the days it is on
        matching &= effect.is_on(segments["day_offset"].to_numpy(), 60)
    assert applied.sum() >= 0.85 * matching.sum()
    observed = segments["failed"].to_numpy()[applied].mean()
    low, high = _binomial_interval(effect.rate, int(applied.sum()))
    assert low <= observed <= high, (effect.name, observed, effect.rate)


def test_three_way_pattern_has_enough_support_and_its_parents_are_diluted(
    default_data: Written,
) -> None:
    segments = default_data.segments
    cell = matches(segments, {"lora": "l07", "character": "c12", "segment_position": "6+"})
    assert cell.sum() >= 80
    assert segments["failed"][cell].mean() > 0.40
    # Each parent contains the cell but is much less elevated; the cell explains all of it.
    for size in (1, 2):
        for parent_dims in itertools.combinations(("lora", "character", "segment_position"), size):
            parent = matches(
                segments, {d: EFFECTS["l07_c12_late_segments"].dims[d] for d in parent_dims}
            )
            rest = parent & ~cell
            assert segments["failed"][parent].mean() < 0.30
            low, high = _binomial_interval(PLANTED.base_rate, int(rest.sum()), 0.9999)
            rest_rate = segments["failed"][rest & (PLANTED.applied_effect(segments) < 0)].mean()
            assert low <= rest_rate <= high, parent_dims


def test_every_combination_fails_as_planted_and_no_other_way(combos: pd.DataFrame) -> None:
    """Observed failures of every 1-3 dimension combination match the planted probabilities."""
    assert len(combos) > 5_000
    deviating = deviating_combinations(combos)
    assert deviating.empty, deviating[["dims", "failures", "total", "expected"]].head(10)


def test_no_effects_data_has_one_rate_for_every_combination(null_data: Written) -> None:
    segments = null_data.segments
    rate = np.full(len(segments), PLANTED.base_rate)
    combos = combination_counts(segments, rate)
    assert len(combos) > 5_000
    deviating = deviating_combinations(combos)
    assert deviating.empty, deviating[["dims", "failures", "total", "expected"]].head(10)
    observed = segments["failed"].mean()
    assert abs(observed - PLANTED.base_rate) < 0.004


def test_the_constant_rate_check_catches_the_planted_data(default_data: Written) -> None:
    """The no-effects check is not vacuous: it flags every planted cell in the effects data."""
    segments = default_data.segments
    combos = combination_counts(segments, np.full(len(segments), PLANTED.base_rate))
    flagged = {pattern_key(dims) for dims in deviating_combinations(combos)["dims"]}
    for pattern in PLANTED.expected_patterns:
        if pattern.window_days is None:  # the whole history dilutes the window-only ones
            assert pattern.pattern_key in flagged


def test_expected_patterns_have_the_documented_counts(default_data: Written) -> None:
    segments = default_data.segments
    days = int(segments["period_days"].iloc[0])
    for pattern in PLANTED.expected_patterns:
        cell = matches(segments, pattern.dims)
        if pattern.window_days is not None:
            cell &= segments["day_offset"].to_numpy() >= days - pattern.window_days
        assert (cell.sum(), segments["failed"][cell].sum()) == (
            pattern.total_count,
            pattern.failure_count,
        ), pattern.pattern_key


def test_expected_patterns_are_clearly_significant_and_everything_else_is_explained(
    default_data: Written, combos: pd.DataFrame
) -> None:
    """What a correct pattern engine surfaces: exactly PLANTED.expected_patterns.

    Any other significantly elevated combination overlaps an expected pattern (shares a
    dimension value with it, e.g. its parents and children) and is back at the base rate once
    the planted segments are set aside, so a redundancy rule must drop it.
    """
    segments = default_data.segments
    baseline = segments["failed"].mean()
    z = elevation_z(combos["failures"], combos["total"], baseline)
    # Exact one-sided binomial test against the global rate, Bonferroni over all combinations.
    # (A plain z-test misjudges cells of a few scenes: 7 of 14 segments reach z = 5.2.)
    p_exact = stats.binom.sf(combos["failures"] - 1, combos["total"], baseline)
    significant = combos[p_exact < 0.05 / len(combos)]
    keys = {pattern_key(dims): value for dims, value in zip(combos["dims"], z, strict=True)}
    expected = [p for p in PLANTED.expected_patterns if p.window_days is None]
    for pattern in expected:
        assert keys[pattern.pattern_key] > CLEARLY_SIGNIFICANT_Z, pattern.pattern_key
        if pattern.alias:
            assert keys[pattern_key(pattern.alias)] == keys[pattern.pattern_key]

    planted_dims = [dict(p.dims) for p in expected] + [dict(p.alias) for p in expected if p.alias]
    unplanted = PLANTED.applied_effect(segments) < 0
    failed = segments["failed"].to_numpy()
    explained = []
    # The temporary version effects lift their workflow/model a little over the whole window
    # (significant, but far below a pattern's risk ratio); such combinations are explained too.
    version_dims = [
        {k: v for k, v in effect.dims.items() if not k.endswith("_version")}
        for effect in PLANTED.effects
        if any(k.endswith("_version") for k in effect.dims)
    ]
    for dims in significant["dims"]:
        if dims in planted_dims or _is_alias_of_expected(dims):
            continue
        assert compatible(dims, planted_dims + version_dims), dims
        rest = matches(segments, dims) & unplanted
        p = stats.binom.sf(failed[rest].sum() - 1, rest.sum(), PLANTED.base_rate)
        assert p > 0.01 / len(combos), (dims, failed[rest].mean(), rest.sum())
        explained.append(dims)
    assert explained  # parents and children exist, so the redundancy check has work to do


def _is_alias_of_expected(dims: dict[str, str]) -> bool:
    """Combinations that select exactly an expected pattern's segments (c14 with l14)."""
    for pattern in PLANTED.expected_patterns:
        if pattern.alias and dims == {**pattern.dims, **pattern.alias}:
            return True
    return False


def test_character_c14_and_lora_l14_select_exactly_the_same_segments_and_runs(
    default_data: Written,
) -> None:
    segments, runs = default_data.segments, default_data.runs
    assert (matches(segments, {"character": "c14"}) == matches(segments, {"lora": "l14"})).all()
    assert ((runs["character"] == "c14") == (runs["lora"] == "l14")).all()
    assert (runs["character"] == "c14").sum() > 200


def test_no_other_dimension_values_are_aliases(default_data: Written) -> None:
    segments = default_data.segments.reset_index(drop=True)
    groups: dict[frozenset[int], list[str]] = {}
    for dimension in PATTERN_DIMENSIONS:
        column = "position_bucket" if dimension == "segment_position" else dimension
        for value, index in segments.groupby(column).groups.items():
            groups.setdefault(frozenset(index), []).append(f"{dimension}={value}")
    aliases = [sorted(names) for names in groups.values() if len(names) > 1]
    assert aliases == [["character=c14", "lora=l14"]]


def test_characters_mostly_use_their_own_lora(default_data: Written) -> None:
    runs = default_data.runs.dropna(subset=["character"])
    own = runs["lora"] == runs["character"].str.replace("c", "l", regex=False)
    shares = own.groupby(runs["character"]).mean()
    assert shares["c14"] == 1.0
    others = shares.drop(["c14", "c12"])
    assert others.between(0.72, 0.88).all(), others
    c12 = runs[runs["character"] == "c12"]
    assert 0.06 < (c12["lora"] == "l07").mean() < 0.15
    assert runs["lora"].isna().any() and default_data.runs["character"].isna().any()


@pytest.mark.parametrize("change", PLANTED.version_changes, ids=lambda c: f"{c.value}@{c.day}")
def test_version_changes_switch_on_their_day_with_their_rates(
    default_data: Written, change
) -> None:
    segments = default_data.segments
    day = np.array([(d - START).days for d in segments["day"]])
    mine = (segments[change.dimension] == change.value).to_numpy()
    version = segments[f"{change.dimension}_version"].to_numpy()
    assert (version[mine & (day == change.day - 1)] == change.from_version).all()
    assert (version[mine & (day == change.day)] == change.to_version).all()
    # Rates without any other effect, over the stretch each version ran.
    others = [e for e in PLANTED.effects if e.dims.get(change.dimension) != change.value]
    clean = mine & _not_in(segments, others)
    before = clean & (day >= change.day - 7) & (day < change.day)
    after = clean & (day >= change.day) & (day < change.day + 7)
    failed = segments["failed"].to_numpy()
    for mask, rate in ((before, change.rate_before), (after, change.rate_after)):
        low, high = _binomial_interval(rate, int(mask.sum()), 0.9999)
        assert low <= failed[mask].mean() <= high, (change, rate, failed[mask].mean())
    if change.dimension == "model" and change.verdict != "no_change":
        # The m02 regression and its rollback show within one day (two-proportion |z| > 4).
        first_day = clean & (day == change.day)
        p1, p0 = failed[first_day].mean(), failed[before].mean()
        pooled = failed[first_day | before].mean()
        z = (p1 - p0) / np.sqrt(pooled * (1 - pooled) * (1 / first_day.sum() + 1 / before.sum()))
        assert abs(z) > 4 and np.sign(z) == (1 if change.verdict == "regression" else -1)


def _not_in(segments: pd.DataFrame, effects: list) -> np.ndarray:
    outside = np.ones(len(segments), dtype=bool)
    for effect in effects:
        outside &= ~matches(segments, effect.dims)
    return outside


def test_planted_truth_exports_as_json() -> None:
    exported = json.loads(json.dumps(PLANTED.to_dict()))
    assert exported["base_rate"] == PLANTED.base_rate
    assert [p["pattern_key"] for p in exported["expected_patterns"]] == [
        p.pattern_key for p in PLANTED.expected_patterns
    ]
    assert exported["version_changes"][3]["rollback_of"] == 2
    assert exported["position_buckets"] == {"1-3": 1, "4-5": 4, "6+": 6}
