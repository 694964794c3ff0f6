"""Heatmaps open on dimensions that vary in the data."""

from __future__ import annotations

from lib.map_axes import varied_axes

DEFAULT_MAPS = (("character", "scene_type"), ("lora", "segment_position"))
EVERYTHING = {
    "workflow": 3, "model": 5, "lora": 20, "character": 15, "scene_type": 6,
    "segment_position": 3,
}  # fmt: skip


def test_the_defaults_stay_when_every_dimension_varies() -> None:
    assert varied_axes(DEFAULT_MAPS, EVERYTHING) == list(DEFAULT_MAPS)


def test_single_valued_axes_give_way_to_varied_dimensions() -> None:
    # LAMMPS: no LoRA, no character (one value, `none`).
    lammps = {**EVERYTHING, "lora": 1, "character": 1}
    assert varied_axes(DEFAULT_MAPS, lammps) == [
        ("model", "scene_type"),
        ("model", "segment_position"),
    ]


def test_an_axis_is_never_the_maps_other_axis() -> None:
    only_model = {"model": 4, "workflow": 1, "lora": 1, "character": 1, "scene_type": 1}
    assert varied_axes([("character", "model")], only_model) == [("character", "model")]
    assert varied_axes([("character", "lora")], only_model) == [("model", "lora")]
