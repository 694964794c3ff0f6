"""What a creator is about to generate: the configuration a check evaluates, validated.

A configuration names the five chosen dimensions (workflow, model, LoRA, character, scene type)
and optionally where in the scene: one `segment_position` (a position such as 7, or a bucket
label such as `6+` as the data and pattern keys name them), or `segments=N` for a whole scene of
N segments (positions 1..N). With neither, the check covers every position. The sixth pattern
dimension, `segment_position`, is the position's bucket (`1-3`, `4-5`, `6+` by default, dbt var
`segment_position_buckets`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from failmap.pattern_keys import DIMENSIONS, LABELS, combination_key, parse_key
from failmap.validation import InvalidFields

__all__ = [
    "CHOSEN_DIMENSIONS",
    "DIMENSIONS",
    "LABELS",
    "Configuration",
    "ConfigurationError",
    "bucket_bounds",
    "combination_key",
    "parse_key",
    "position_bucket",
]

CHOSEN_DIMENSIONS: tuple[str, ...] = DIMENSIONS[:5]
NONE_VALUE = "none"  # an empty LoRA or character, as the data calls it
MAX_VALUE_LENGTH = 200
MAX_SEGMENTS = 500


class ConfigurationError(InvalidFields):
    """A configuration that cannot be checked; `errors` maps each field to what is wrong."""


@dataclass(frozen=True)
class Configuration:
    """A validated configuration. Build it with `Configuration.build(...)`."""

    workflow: str
    model: str
    lora: str
    character: str
    scene_type: str
    segment_position: int | str | None = None  # a position, or a bucket label such as "6+"
    segments: int | None = None

    @classmethod
    def build(
        cls,
        *,
        workflow: str | None,
        model: str | None,
        scene_type: str | None,
        lora: str | None = None,
        character: str | None = None,
        segment_position: int | str | None = None,
        segments: int | None = None,
    ) -> Configuration:
        """Validate and normalise: surrounding spaces dropped, empty LoRA/character = `none`.

        Raises ConfigurationError naming every field that is wrong.
        """
        errors: dict[str, str] = {}
        values: dict[str, str] = {}
        given = {
            "workflow": workflow,
            "model": model,
            "lora": lora,
            "character": character,
            "scene_type": scene_type,
        }
        for dimension, raw in given.items():
            optional = dimension in ("lora", "character")
            text = "" if raw is None else str(raw).strip()
            if not text:
                if optional:
                    values[dimension] = NONE_VALUE
                else:
                    errors[dimension] = "required (e.g. --" + dimension.replace("_", "-") + ")"
                continue
            problem = _value_problem(text)
            if problem:
                errors[dimension] = problem
            values[dimension] = text
        if segment_position is not None and segments is not None:
            errors["segments"] = "give either segment_position or segments, not both"
        if isinstance(segment_position, str):
            text = segment_position.strip()
            segment_position = int(text) if text.isdigit() else text
        if isinstance(segment_position, str):
            if not _BUCKET_LABEL.match(segment_position):
                errors["segment_position"] = (
                    f"must be a position >= 1 or a bucket label such as 6+ or 4-5, "
                    f"got {segment_position!r}"
                )
        elif segment_position is not None and not _whole_at_least_one(segment_position):
            errors["segment_position"] = f"must be a whole number >= 1, got {segment_position!r}"
        if segments is not None and not (
            _whole_at_least_one(segments) and segments <= MAX_SEGMENTS
        ):
            errors["segments"] = (
                f"must be a whole number from 1 to {MAX_SEGMENTS}, got {segments!r}"
            )
        if errors:
            raise ConfigurationError(errors)
        return cls(
            **values,
            segment_position=segment_position,
            segments=segments,
        )

    def chosen_values(self) -> dict[str, str]:
        """The five chosen dimensions and their values, in the fixed order."""
        return {dimension: getattr(self, dimension) for dimension in CHOSEN_DIMENSIONS}

    def with_value(self, dimension: str, value: str) -> Configuration:
        """The same configuration with one chosen dimension swapped."""
        return Configuration(**{**self.to_dict(), dimension: value})

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.chosen_values(),
            "segment_position": self.segment_position,
            "segments": self.segments,
        }

    def describe(self) -> str:
        """E.g. `workflow w01 · model m02 · LoRA l07 · character c12 · scene type action`."""
        parts = [f"{LABELS[d]} {v}" for d, v in self.chosen_values().items()]
        if self.segments is not None:
            parts.append(f"{self.segments} segment{'s' if self.segments != 1 else ''}")
        elif isinstance(self.segment_position, str):
            parts.append(f"segments {self.segment_position}")
        elif self.segment_position is not None:
            parts.append(f"segment {self.segment_position}")
        return " · ".join(parts)


_BUCKET_LABEL = re.compile(r"^[1-9][0-9]*(\+|-[1-9][0-9]*)$")


def _whole_at_least_one(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _value_problem(text: str) -> str | None:
    if len(text) > MAX_VALUE_LENGTH:
        return f"at most {MAX_VALUE_LENGTH} characters, got {len(text)}"
    if "|" in text or "=" in text:
        return f"{text!r} contains '|' or '=', which pattern keys use as separators"
    if "\x00" in text:
        return "must not contain NUL characters"
    return None


def bucket_bounds(labels: Iterable[str]) -> list[tuple[int, int | None, str]]:
    """(first, last or None for open-ended, label) of the position buckets named in the data.

    Labels come from the dbt var `segment_position_buckets`: `1-3`, `4-5`, `6+`, or a single
    number for a one-wide bucket.
    """
    bounds: list[tuple[int, int | None, str]] = []
    for label in labels:
        if label.endswith("+") and label[:-1].isdigit():
            bounds.append((int(label[:-1]), None, label))
        elif "-" in label and all(part.isdigit() for part in label.split("-", 1)):
            first, last = label.split("-", 1)
            bounds.append((int(first), int(last), label))
        elif label.isdigit():
            bounds.append((int(label), int(label), label))
    return sorted(bounds)


def position_bucket(position: int, bounds: list[tuple[int, int | None, str]]) -> str:
    """The bucket label of a segment position; `<position>` itself when no bucket covers it
    (the prediction then treats it as a value never seen)."""
    for first, last, label in bounds:
        if position >= first and (last is None or position <= last):
            return label
    return str(position)
