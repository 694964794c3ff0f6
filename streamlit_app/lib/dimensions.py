"""The six pattern dimensions: their order, how people call them and where segments keep them."""

from __future__ import annotations

# The fixed order of the data contract (pattern keys and heatmap pairs follow it).
DIMENSIONS = ("workflow", "model", "lora", "character", "scene_type", "segment_position")

LABELS = {
    "workflow": "Workflow",
    "model": "Model",
    "lora": "LoRA",
    "character": "Character",
    "scene_type": "Scene type",
    "segment_position": "Segment position",
}

# Column of marts.failed_segments that holds each dimension's value.
_SEGMENT_COLUMNS = {
    "workflow": "workflow",
    "model": "model",
    "lora": "lora",
    "character": "character",
    "scene_type": "scene_type",
    "segment_position": "segment_position_bucket",
}


def label(dimension: str) -> str:
    """'scene_type' -> 'Scene type'."""
    return LABELS.get(dimension, dimension.replace("_", " ").capitalize())


def segment_column(dimension: str) -> str:
    """The per-segment column of a dimension; refuses anything but the six dimensions."""
    if dimension not in _SEGMENT_COLUMNS:
        raise ValueError(f"unknown dimension {dimension!r}; expected one of {DIMENSIONS}")
    return _SEGMENT_COLUMNS[dimension]


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
