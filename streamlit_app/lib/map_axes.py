"""Which two dimensions a heatmap opens with, given what varies in the data.

The page opens on character x scene type and LoRA x segment position: where creators of video
scenes look first. Data without characters or LoRAs (the LAMMPS test archive has neither: every
value is `none`) opened on a single column of cells. An axis whose dimension has fewer than two
values is replaced by the first dimension of `FALLBACK_ORDER` that has two or more and is not
the map's other axis; with nothing better the axis stays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# Dimensions that explain failures most often first: tools before content.
FALLBACK_ORDER = ("model", "workflow", "scene_type", "segment_position", "character", "lora")


def varied_axes(
    maps: Sequence[tuple[str, str]], value_counts: Mapping[str, int]
) -> list[tuple[str, str]]:
    """`maps` (columns, rows) with every single-valued axis replaced where a varied one exists."""

    def varied(dimension: str) -> bool:
        return value_counts.get(dimension, 0) >= 2

    def replaced(dimension: str, other: str) -> str:
        if varied(dimension):
            return dimension
        return next(
            (d for d in FALLBACK_ORDER if d not in (dimension, other) and varied(d)), dimension
        )

    chosen = []
    for columns, rows in maps:
        columns = replaced(columns, rows)
        chosen.append((columns, replaced(rows, columns)))
    return chosen
