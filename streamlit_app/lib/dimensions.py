"""The six pattern dimensions as the dashboard shows them (defined once in failmap.dimensions)."""

from __future__ import annotations

from failmap.dimensions import DIMENSIONS, TITLES

__all__ = ["DIMENSIONS", "LABELS", "describe_cell", "describe_value", "label"]

LABELS = TITLES


def label(dimension: str) -> str:
    """'scene_type' -> 'Scene type'."""
    return TITLES.get(dimension, dimension.replace("_", " ").capitalize())


def describe_value(dimension: str, value: str) -> str:
    """A dimension value as people say it: 'LoRA l07', 'segment 6+', 'action scenes'."""
    if dimension == "segment_position":
        return f"segment {value}"
    if dimension == "scene_type":
        return f"{value} scenes"
    if value == "none":
        return f"no {label(dimension)}"
    return f"{label(dimension)} {value}"


def describe_cell(cell: dict[str, str]) -> str:
    """'Model m03 + action scenes' for {'model': 'm03', 'scene_type': 'action'}."""
    ordered = sorted(cell.items(), key=lambda item: DIMENSIONS.index(item[0]))
    return " + ".join(describe_value(dimension, value) for dimension, value in ordered)
