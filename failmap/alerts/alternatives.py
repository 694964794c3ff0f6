"""Single-dimension swaps that credibly lower a configuration's predicted failure rate.

For each tool dimension (workflow, model, LoRA: `SWAPPABLE_DIMENSIONS`) and each other value in
the data, the swapped configuration is a candidate when

- it has support: the new value was used with each of the configuration's other chosen values
  in at least `ALTERNATIVE_MIN_SUPPORT` segments (so the prediction rests on data about this
  combination, not on the absence of data);
- it is itself no pattern: it lies in no surfaced pattern naming a value it changes, at any
  of the checked positions (a pattern it shares with the current configuration, e.g. the
  suite both run in, is no reason against swapping the tool version within it);
- it is clearly better: the upper end of its interval is below the current predicted rate.

A new value can imply values of other tool dimensions (issue 13): a suite whose tests never
record a tool version (LoRA `none`), a tool version only one suite records. Swapping to it then
also sets those (`with no LoRA`): keeping the old tool version with a suite that never runs it
has no support, so the obvious alternative "run it in the other suite" was never offered.

The best value per dimension is kept, and the best `MAX_ALTERNATIVES` of those are offered,
lowest predicted rate first.
"""

from __future__ import annotations

from collections.abc import Sequence

from failmap.alerts.configuration import CHOSEN_DIMENSIONS, LABELS, Configuration, combination_key
from failmap.alerts.prediction import Predictor, Slot, weighted, weighted_rate
from failmap.alerts.result import Alternative, percent
from failmap.alerts.thresholds import (
    ALTERNATIVE_MIN_SUPPORT,
    MAX_ALTERNATIVES,
    SWAPPABLE_DIMENSIONS,
)


def value_text(dimension: str, value: str) -> str:
    """`LoRA l03`, or `no LoRA` for the value none."""
    if value == "none" and dimension in ("lora", "character"):
        return f"no {LABELS[dimension]}"
    return f"{LABELS[dimension]} {value}"


def implied_values(
    predictor: Predictor, candidates: Sequence[tuple[str, str]], chosen: dict[str, str]
) -> dict[tuple[str, str], dict[str, str]]:
    """For each (dimension, value), the values of the tool dimensions after it (in
    SWAPPABLE_DIMENSIONS) that it implies (every segment with the value has them) where they
    differ from the chosen ones."""
    catalog = predictor.snapshot.values
    pair_keys = {
        (dimension, value, other, other_value): combination_key(
            {dimension: value, other: other_value}
        )
        for dimension, value in candidates
        # Only what a value contains follows it (a workflow its model or LoRA, a model its LoRA):
        # "no LoRA" implying the other suite is a swap of the suite, offered as such.
        for other in SWAPPABLE_DIMENSIONS[SWAPPABLE_DIMENSIONS.index(dimension) + 1 :]
        for other_value in catalog.get(other, {})
    }
    single_keys = {c: combination_key({c[0]: c[1]}) for c in candidates}
    counts = predictor.counts([*pair_keys.values(), *single_keys.values()])
    implied: dict[tuple[str, str], dict[str, str]] = {c: {} for c in candidates}
    for (dimension, value, other, other_value), key in pair_keys.items():
        single = counts.get(single_keys[(dimension, value)])
        pair = counts.get(key)
        if (
            single is not None
            and pair is not None
            and pair.total_count == single.total_count
            and other_value != chosen[other]
        ):
            implied[(dimension, value)][other] = other_value
    return implied


def find_alternatives(
    predictor: Predictor,
    configuration: Configuration,
    slots: Sequence[Slot],
    current_rate: float,
) -> list[Alternative]:
    """The best single-dimension swaps (see the module docstring), at most MAX_ALTERNATIVES."""
    chosen = configuration.chosen_values()
    catalog = predictor.snapshot.values
    candidates = [
        (dimension, value)
        for dimension in SWAPPABLE_DIMENSIONS
        for value in catalog.get(dimension, {})
        if value != chosen[dimension]
    ]
    implied = implied_values(predictor, candidates, chosen)
    swapped = {
        candidate: {**chosen, **implied[candidate], candidate[0]: candidate[1]}
        for candidate in candidates
    }
    support_keys = {
        candidate: [
            combination_key({candidate[0]: candidate[1], other: swapped[candidate][other]})
            for other in CHOSEN_DIMENSIONS
            if other != candidate[0]
        ]
        for candidate in candidates
    }
    counts = predictor.counts(key for keys in support_keys.values() for key in keys)
    supports = {
        candidate: min(counts[key].total_count if key in counts else 0 for key in keys)
        for candidate, keys in support_keys.items()
    }
    supported = [c for c in candidates if supports[c] >= ALTERNATIVE_MIN_SUPPORT]
    cells = [
        {**swapped[(dimension, value)], "segment_position": slot.bucket}
        for dimension, value in supported
        for slot in slots
    ]
    predictions = predictor.predict(cells)
    # Per dimension, the lowest point estimates first; the interval (the costly part) only
    # until one is clearly better.
    scored = []
    for index, (dimension, value) in enumerate(supported):
        own = predictions[index * len(slots) : (index + 1) * len(slots)]
        changed = {dimension, *implied[(dimension, value)]}
        if any(
            changed & _dimensions_of(match.matched_by)
            for prediction in own
            for match in prediction.patterns
        ):
            continue
        rate = weighted_rate(slots, own)
        if rate < current_rate:
            scored.append((dimension, rate, value, own))
    best: dict[str, Alternative] = {}
    for dimension, rate, value, own in sorted(scored, key=lambda s: (s[0], s[1], s[2])):
        if dimension in best:
            continue
        _, lower, upper = weighted(slots, own)
        if upper >= current_rate:
            continue
        best[dimension] = Alternative(
            dimension=dimension,
            value=value,
            current_value=chosen[dimension],
            predicted_failure_rate=rate,
            lower=lower,
            upper=upper,
            current_failure_rate=current_rate,
            support=supports[(dimension, value)],
            message=(
                f"consider {value_text(dimension, value)}"
                + "".join(
                    f" with {value_text(other, other_value)}"
                    for other, other_value in implied[(dimension, value)].items()
                )
                + f" instead: {percent(rate)} vs {percent(current_rate)}"
            ),
        )
    ranked = sorted(best.values(), key=lambda a: (a.predicted_failure_rate, a.dimension))
    return ranked[:MAX_ALTERNATIVES]


def _dimensions_of(key: str) -> set[str]:
    """The dimensions a combination key (`workflow=w01|lora=l07`) names."""
    return {part.split("=", 1)[0] for part in key.split("|") if part}
