"""The six pattern dimensions, defined once: names, order, labels, naming preference.

Everything that knows the dimensions reads them from here: pattern keys (`failmap.pattern_keys`),
the API's query parameters, the dashboard's pickers and labels, the demo's planted effects and
the read layer. dbt cannot import Python, so it reads the same values as
the vars `pattern_dimensions` and `pattern_name_preference` in dbt_project.yml (macro
`pattern_dimensions()`); tests/failmap/test_dimensions.py fails when the two disagree.
"""

from __future__ import annotations

from typing import Literal

# The architecture's fixed order. Pattern keys list their dimensions in this order
# (`lora=l07|character=c12|segment_position=6+`) so that they stay stable across refreshes, and
# the heatmap marts store each pair once, the earlier dimension as x: never reorder it.
DIMENSIONS: tuple[str, ...] = (
    "workflow",
    "model",
    "lora",
    "character",
    "scene_type",
    "segment_position",
)
Dimension = Literal["workflow", "model", "lora", "character", "scene_type", "segment_position"]

# How people read each dimension inside a sentence ("LoRA l07 on character c12").
LABELS: dict[str, str] = {
    "workflow": "workflow",
    "model": "model",
    "lora": "LoRA",
    "character": "character",
    "scene_type": "scene type",
    "segment_position": "segment",
}

# How a dimension is titled on its own (a picker, an axis, a column header).
TITLES: dict[str, str] = {
    "workflow": "Workflow",
    "model": "Model",
    "lora": "LoRA",
    "character": "Character",
    "scene_type": "Scene type",
    "segment_position": "Segment position",
}

# Naming of alias groups (combinations covering exactly the same segments): the member with the
# fewest dimensions, then the one avoiding dimensions late in this list. A LoRA used only with
# one character is that character's LoRA: people name the character.
NAME_PREFERENCE: tuple[str, ...] = (
    "character",
    "scene_type",
    "segment_position",
    "model",
    "workflow",
    "lora",
)


def ordered_pair(x: str, y: str) -> tuple[str, str, bool]:
    """The pair as the marts store it (earlier dimension first) and whether (x, y) is swapped."""
    swapped = DIMENSIONS.index(x) > DIMENSIONS.index(y)
    return (y, x, True) if swapped else (x, y, False)
