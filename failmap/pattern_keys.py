"""Pattern and combination keys: `lora=l07|character=c12|segment_position=6+`.

The six dimensions (`failmap.dimensions`) in their fixed order; a key lists `dimension=value`
pairs in that order joined by `|`, so the same pattern has the same key everywhere (dbt's
`combination_key` macro builds the same text).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from failmap.dimensions import DIMENSIONS, LABELS

__all__ = ["DIMENSIONS", "LABELS", "combination_key", "parse_key"]

_KEY_PART = re.compile(r"^([a-z_]+)=(.*)$")


def combination_key(values: Mapping[str, str]) -> str:
    """The key of the given dimensions and values, in the fixed order."""
    return "|".join(f"{d}={values[d]}" for d in DIMENSIONS if d in values)


def parse_key(key: str) -> dict[str, str]:
    """The dimensions and values of a key (any order accepted), in the fixed order.

    Raises ValueError for an unknown dimension, a repeated one, a part without `=`, or a NUL
    character (PostgreSQL text cannot hold one, so no value in the data has it).
    """
    if "\x00" in key:
        raise ValueError("a key must not contain NUL characters")
    values: dict[str, str] = {}
    for part in key.strip().split("|"):
        match = _KEY_PART.match(part.strip())
        if match is None or not match.group(2).strip():
            raise ValueError(f"{part!r} is not dimension=value")
        dimension, value = match.group(1), match.group(2).strip()
        if dimension not in DIMENSIONS:
            raise ValueError(
                f"unknown dimension {dimension!r} (dimensions: {', '.join(DIMENSIONS)})"
            )
        if dimension in values:
            raise ValueError(f"dimension {dimension!r} appears twice")
        values[dimension] = value
    return {d: values[d] for d in DIMENSIONS if d in values}
