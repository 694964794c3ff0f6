"""Predicted failure rate of a full configuration: patterns, hierarchical shrinkage, own data.

For a configuration (six dimension values, the position as its bucket):

1. **Background rate** (the configuration outside every surfaced pattern). Hierarchical
   empirical Bayes over the segments outside the patterns: the overall background rate; each
   single value shrunk toward it; each pair toward the mean of its two single values; each
   triple toward the mean of its three pairs; the configuration's background rate is the mean of
   its 20 triples. Prior strengths per dimension set come from dbt (method of moments). A value
   or combination never seen has no segments, so it gets its prior: the estimate backs off to
   the coarser levels on its own.
2. **Prior rate** = the higher of the background rate and the governing pattern's rate (the
   highest rate now among the surfaced patterns, or aliases, the configuration lies in),
   adjusted to the configuration's other values: a pattern's rate is a mix of its
   configurations (a suite at 55 % holds a model at 28 % and one at 75 %), so each value not in
   the pattern shifts it by how it fares within the pattern now, in log-odds (`pattern_shift`).
3. **Prediction** = the configuration's own segments shrunk toward the prior rate with the
   configuration-level prior strength M: Beta(x + M·prior, n - x + M·(1 - prior)); the point is
   its mean, the interval its central `confidence_level` quantiles. When the prior is a
   pattern's rate now, measured on N segments, its strength is M' with
   1/(M' + 1) = 1/(M + 1) + 1/N (`evidence_strength`): an emerging pattern's rate from a few
   dozen segments must not claim the certainty of hundreds.

dbt computes the same numbers for every configuration in the data
(`predictions.configuration_rates`; a test keeps the two equal). Why this and not plain back-off
over the lattice: docs/alerts.md."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations

import psycopg

from failmap.alerts.configuration import (
    DIMENSIONS,
    Configuration,
    bucket_bounds,
    combination_key,
    parse_key,
    position_bucket,
)
from failmap.alerts.store import (
    CombinationCounts,
    Parameters,
    Pattern,
    Snapshot,
    load_combinations,
    load_rows,
)
from failmap.alerts.thresholds import CONFIDENCE_LEVEL, MIN_RISK_RATIO

SUBSETS: tuple[tuple[str, ...], ...] = tuple(
    subset for size in (1, 2, 3) for subset in combinations(DIMENSIONS, size)
)
TRIPLES: tuple[tuple[str, ...], ...] = tuple(combinations(DIMENSIONS, 3))


@dataclass(frozen=True)
class Slot:
    """One position bucket a check covers, with its share of the checked segments."""

    bucket: str
    positions: tuple[int, ...] | None  # the scene positions in it; None when not given
    weight: float


def plan_slots(configuration: Configuration, snapshot: Snapshot) -> list[Slot]:
    """The position buckets a check covers.

    One position: its bucket (a bucket label: that bucket). A scene of N segments: the buckets
    of positions 1..N, weighted by how many positions fall in each. Neither: every bucket in
    the data, weighted by its share of all segments.
    """
    bounds = bucket_bounds(snapshot.position_labels())
    if isinstance(configuration.segment_position, str):
        return [Slot(configuration.segment_position, None, 1.0)]
    if configuration.segment_position is not None:
        position = configuration.segment_position
        return [Slot(position_bucket(position, bounds), (position,), 1.0)]
    if configuration.segments is not None:
        grouped: dict[str, list[int]] = {}
        for position in range(1, configuration.segments + 1):
            grouped.setdefault(position_bucket(position, bounds), []).append(position)
        return [
            Slot(bucket, tuple(positions), len(positions) / configuration.segments)
            for bucket, positions in grouped.items()
        ]
    shares = snapshot.values.get("segment_position", {})
    total = sum(shares.values())
    return [Slot(label, None, shares[label] / total) for _, _, label in bounds]


@dataclass(frozen=True)
class PatternMatch:
    """A surfaced pattern a configuration lies in, the key (own or alias) that matched, and
    the pattern's rate shifted to the configuration's other values (`Predictor._shifted`)."""

    pattern: Pattern
    matched_by: str
    shifted_rate: float

    @property
    def fares_better(self) -> bool:
        """The configuration's values put it materially below its pattern (the pattern's rate
        now over `MIN_RISK_RATIO`, the smallest difference the engine calls a pattern): it does
        not take the pattern's severity."""
        return self.shifted_rate * MIN_RISK_RATIO < self.pattern.failure_rate


@dataclass(frozen=True)
class CellPrediction:
    """The prediction for one full configuration (position given as its bucket)."""

    values: dict[str, str]
    configuration_key: str
    total_count: int  # segments of exactly this configuration in the data
    failure_count: int
    background_rate: float
    pattern_rate: float | None
    pattern_prior_rate: float | None  # pattern_rate shifted to the configuration's values
    prior_rate: float
    prior_strength: float
    predicted_failure_rate: float
    patterns: tuple[PatternMatch, ...]
    unknown_dimensions: tuple[str, ...]
    # The posterior Beta(alpha, beta) of the rate; the interval is computed when first read.
    alpha: float
    beta: float
    confidence_level: float

    # The central interval of the posterior, widened to hold the estimate: with (nearly) every
    # segment failed and no prior to speak of, Beta(x, ~0) puts both quantiles above its mean
    # (a 100 % configuration printed "lower 100 %, estimate 99.9 %").
    @cached_property
    def lower(self) -> float:
        quantile = _beta_quantile((1 - self.confidence_level) / 2, self.alpha, self.beta)
        return min(quantile, self.predicted_failure_rate)

    @cached_property
    def upper(self) -> float:
        quantile = _beta_quantile(1 - (1 - self.confidence_level) / 2, self.alpha, self.beta)
        return max(quantile, self.predicted_failure_rate)


def _beta_quantile(p: float, alpha: float, beta: float) -> float:
    """The p-quantile of Beta(alpha, beta): scipy's inverse regularized incomplete beta.

    Imported here, not at module level: only an interval needs it, and scipy.special takes a
    noticeable part of a second to import.
    """
    from scipy.special import betaincinv

    return float(betaincinv(alpha, beta, p))


def weighted(
    slots: Sequence[Slot], predictions: Sequence[CellPrediction]
) -> tuple[float, float, float]:
    """Rate, lower and upper bound over the slots, weighted by their shares.

    The bounds are weighted sums of the per-bucket bounds: exact if the buckets' errors move
    together, wider than needed otherwise (conservative).
    """
    pairs = list(zip(slots, predictions, strict=True))
    return (
        sum(slot.weight * p.predicted_failure_rate for slot, p in pairs),
        sum(slot.weight * p.lower for slot, p in pairs),
        sum(slot.weight * p.upper for slot, p in pairs),
    )


def weighted_rate(slots: Sequence[Slot], predictions: Sequence[CellPrediction]) -> float:
    """The predicted rate over the slots, weighted by their shares (no interval computed)."""
    return sum(
        slot.weight * p.predicted_failure_rate for slot, p in zip(slots, predictions, strict=True)
    )


def shrunk(failures: float, total: float, prior_rate: float, strength: float | None) -> float:
    """(x + M·m) / (n + M); the prior rate when M is None (full pooling) or nothing to weigh."""
    if strength is None or total + strength <= 0:
        return prior_rate
    return (failures + strength * prior_rate) / (total + strength)


def rate_estimate(rate: float, evidence_count: int) -> float:
    """A rate measured on `evidence_count` segments as an estimate of the true rate, for a prior.

    (x + 1/2) / (N + 1), the mean under Jeffreys' prior: never 0 or 1. A pattern failing 20 of
    20 is not known to fail 100 %; taken as 1 the prior Beta(M' m, M' (1 - m)) had no mass
    below it, and a configuration never seen printed "100 % (95 % interval 100 %-100 %)" from
    those 20 segments (LAMMPS, `scene_type=neb`). At a few hundred segments it moves the rate
    by a fraction of a point. No count known: the rate as measured.
    """
    if evidence_count <= 0:
        return rate
    return (rate * evidence_count + 0.5) / (evidence_count + 1)


def evidence_strength(strength: float, evidence_count: int) -> float:
    """The prior strength of a rate measured on `evidence_count` segments, M' (at least 0).

    A configuration's rate varies around its pattern's true rate with variance
    m(1 - m)/(M + 1) (the configuration-level spread); the pattern's rate is itself an estimate
    from N segments, variance about m(1 - m)/N. Their sum is the prior's variance,
    m(1 - m)/(M' + 1): 1/(M' + 1) = 1/(M + 1) + 1/N. Large N leaves M; a rate measured on a few
    dozen segments weighs about that many.
    """
    if evidence_count <= 0:
        return strength
    return max(1.0 / (1.0 / (strength + 1) + 1.0 / evidence_count) - 1, 0.0)


# Rates are held within [RATE_BOUND, 1 - RATE_BOUND] before log-odds, so 0 % and 100 % stay
# finite (the dbt macro `logit` uses the same bound).
RATE_BOUND = 1e-6


def logit(rate: float) -> float:
    held = min(max(rate, RATE_BOUND), 1 - RATE_BOUND)
    return math.log(held / (1 - held))


def expit(log_odds: float) -> float:
    return 1 / (1 + math.exp(-log_odds))


def sub_combination_keys(values: dict[str, str]) -> list[str]:
    """Keys of the 41 combinations of 1-3 of the configuration's dimensions."""
    parts = _key_parts(values)
    return ["|".join(parts[d] for d in subset) for subset in SUBSETS]


def _key_parts(values: dict[str, str]) -> dict[str, str]:
    """`dim=value` of each dimension: a subset's key is these joined in the fixed order."""
    return {d: f"{d}={values[d]}" for d in DIMENSIONS}


class Predictor:
    """Predicts configurations against one snapshot of the marts, reading rows by key."""

    def __init__(
        self,
        conn: psycopg.Connection,
        snapshot: Snapshot,
        confidence_level: float = CONFIDENCE_LEVEL,
    ) -> None:
        self.conn = conn
        self.snapshot = snapshot
        self.parameters: Parameters = snapshot.parameters
        self.confidence_level = confidence_level
        # Rows read so far (None: not in the data) and background estimates computed so far:
        # a check and its alternatives share most sub-combinations.
        self._counts: dict[str, CombinationCounts | None] = {}
        self._configurations: dict[str, tuple[int, int] | None] = {}
        self._memo: dict[str, float] = {}

    def predict(self, cells: Sequence[dict[str, str]]) -> list[CellPrediction]:
        """Predictions for full configurations (dicts of the six dimensions), at most two
        queries (rows already read by this predictor are not read again)."""
        keys = {key for values in cells for key in sub_combination_keys(values)}
        new_keys = keys - self._counts.keys()
        new_configurations = {combination_key(v) for v in cells} - self._configurations.keys()
        if new_keys or new_configurations:
            counts, configurations = load_rows(self.conn, new_keys, new_configurations)
            self._counts.update({key: counts.get(key) for key in new_keys})
            self._configurations.update(
                {key: configurations.get(key) for key in new_configurations}
            )
        return [self._predict_cell(values) for values in cells]

    def counts(self, keys: Iterable[str]) -> dict[str, CombinationCounts]:
        """Counts of the given combinations that are in the data (read once per predictor)."""
        keys = set(keys)
        wanted = keys - self._counts.keys()
        if wanted:
            found = load_combinations(self.conn, wanted)
            self._counts.update({key: found.get(key) for key in wanted})
        return {key: counts for key in keys if (counts := self._counts[key]) is not None}

    def _background(self, parts: dict[str, str], subset: tuple[str, ...]) -> float:
        key = "|".join(parts[d] for d in subset)
        if key in self._memo:
            return self._memo[key]
        if len(subset) == 1:
            prior = self.parameters.background_rate
        else:
            parents = [
                self._background(parts, tuple(d for d in subset if d != dropped))
                for dropped in subset
            ]
            prior = sum(parents) / len(parents)
        found = self._counts.get(key)
        failures, total = (
            (found.background_failure_count, found.background_total_count) if found else (0, 0)
        )
        strength = self.parameters.set_strengths.get("|".join(subset))
        estimate = shrunk(failures, total, prior, strength)
        self._memo[key] = estimate
        return estimate

    def _shifted(self, rate: float, pattern_key: str, values: dict[str, str]) -> float:
        """A pattern's rate shifted to the configuration's values (configuration_rates'
        `pattern_prior_rate`): plus, in log-odds, how each value not in the pattern fares within
        it now. Only a pattern of 1-2 dimensions: pattern + value must be a combination of
        1-3 dimensions to have counts."""
        dimensions = parse_key(pattern_key).keys()
        if len(dimensions) > 2:
            return rate
        parts = _key_parts(values)
        base = self._counts.get("|".join(parts[d] for d in DIMENSIONS if d in dimensions))
        if base is None or base.current_total_count <= 0:
            return rate
        base_rate = base.current_failure_count / base.current_total_count
        shift = 0.0
        for added in (d for d in DIMENSIONS if d not in dimensions):
            found = self._counts.get(
                "|".join(parts[d] for d in DIMENSIONS if d in dimensions or d == added)
            )
            failures, total = (
                (found.current_failure_count, found.current_total_count) if found else (0, 0)
            )
            value_rate = shrunk(failures, total, base_rate, self.parameters.pattern_value_strength)
            shift += logit(value_rate) - logit(base_rate)
        return expit(logit(rate) + shift)

    def _predict_cell(self, values: dict[str, str]) -> CellPrediction:
        parts = _key_parts(values)
        triples = [self._background(parts, triple) for triple in TRIPLES]
        background = sum(triples) / len(triples)
        matches = tuple(
            PatternMatch(
                pattern,
                key,
                self._shifted(
                    rate_estimate(pattern.failure_rate, pattern.evidence_count), key, values
                ),
            )
            for pattern in self.snapshot.patterns
            if (key := pattern.matched_by(values)) is not None
        )
        # The pattern with the highest rate now (the most segments, then the first key, among
        # ties) gives the prior, shifted to the configuration's other values.
        governing = min(
            matches,
            key=lambda m: (
                -m.pattern.failure_rate,
                -m.pattern.evidence_count,
                m.pattern.pattern_key,
            ),
            default=None,
        )
        pattern_rate = None if governing is None else governing.pattern.failure_rate
        pattern_prior = None if governing is None else governing.shifted_rate
        prior = background if pattern_prior is None else max(background, pattern_prior)
        strength = self.parameters.configuration_strength
        if governing is not None and pattern_prior is not None and pattern_prior > background:
            strength = evidence_strength(strength, governing.pattern.evidence_count)
        key = combination_key(values)
        total, failures = self._configurations.get(key) or (0, 0)
        unknown = tuple(d for d in DIMENSIONS if values[d] not in self.snapshot.values.get(d, {}))
        return CellPrediction(
            values=dict(values),
            configuration_key=key,
            total_count=total,
            failure_count=failures,
            background_rate=background,
            pattern_rate=pattern_rate,
            pattern_prior_rate=pattern_prior,
            prior_rate=prior,
            prior_strength=strength,
            predicted_failure_rate=shrunk(failures, total, prior, strength),
            patterns=matches,
            unknown_dimensions=unknown,
            alpha=max(failures + strength * prior, 1e-9),
            beta=max(total - failures + strength * (1 - prior), 1e-9),
            confidence_level=self.confidence_level,
        )
