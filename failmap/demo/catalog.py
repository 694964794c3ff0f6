"""The demo studio's cast: dimension values and how often each one is used.

Nothing here changes a failure rate. Mixes are deliberately uneven (a studio has favourite
models and characters) so that the data looks real, but every failure-rate difference lives
in `spec.py`: a value that is merely popular or rare is never a pattern.
"""

from __future__ import annotations

import numpy as np

WORKFLOWS: tuple[str, ...] = ("w01", "w02", "w03", "w04")
WORKFLOW_WEIGHTS: tuple[float, ...] = (0.35, 0.25, 0.25, 0.15)
# Versions in use on day 0; `spec.VERSION_CHANGES` says when they move.
WORKFLOW_INITIAL_VERSIONS: dict[str, str] = {"w01": "1.3", "w02": "2.0", "w03": "3.0", "w04": "1.1"}

MODELS: tuple[str, ...] = ("m01", "m02", "m03", "m04")
MODEL_WEIGHTS: tuple[float, ...] = (0.30, 0.25, 0.25, 0.20)
# Workflows are built for model families: w02 never runs on m02. Besides being realistic, this
# keeps the w02 and m02 version effects (temporary, for trend detection) from stacking up into
# a whole-window w02+m02 "pattern" that no planted effect explains.
MODELS_EXCLUDED_BY_WORKFLOW: dict[str, tuple[str, ...]] = {"w02": ("m02",)}
MODEL_INITIAL_VERSIONS: dict[str, str] = {"m01": "3.1", "m02": "1.4", "m03": "2.0", "m04": "1.0"}

SCENE_TYPES: tuple[str, ...] = ("action", "dialogue", "closeup", "crowd", "landscape", "night")
SCENE_TYPE_WEIGHTS: tuple[float, ...] = (0.16, 0.26, 0.16, 0.10, 0.18, 0.14)
# Landscapes rarely feature a character; everything else usually does.
CHARACTER_PRESENCE_BY_SCENE_TYPE: tuple[float, ...] = (0.92, 0.95, 0.95, 0.90, 0.20, 0.85)

CHARACTERS: tuple[str, ...] = tuple(f"c{i:02d}" for i in range(1, 16))
CHARACTER_WEIGHTS: tuple[float, ...] = (
    0.10, 0.09, 0.08, 0.08, 0.07, 0.07, 0.07, 0.06, 0.06, 0.06, 0.05, 0.07, 0.05, 0.05, 0.04,
)  # fmt: skip

# l01..l15 are character LoRAs (l_i belongs to c_i); l16..l20 are style LoRAs.
LORAS: tuple[str, ...] = tuple(f"l{i:02d}" for i in range(1, 21))
STYLE_LORAS: tuple[str, ...] = LORAS[15:]

# How a character scene picks its LoRA. The two exceptions below are planted truth and are
# repeated in `spec.py`: c12 borrows l07 (the 3-way pattern) and c14 <-> l14 is an exact alias.
OWN_LORA_SHARE = 0.80
STYLE_LORA_SHARE = 0.10
OTHER_CHARACTER_LORA_SHARE = 0.06  # never l14: l14 is exclusive to c14
NO_LORA_SHARE = 0.04
BORROWER, BORROWED_LORA, BORROWED_SHARE = "c12", "l07", 0.10
EXCLUSIVE_CHARACTER, EXCLUSIVE_LORA = "c14", "l14"
# Scenes without a character use a style LoRA or none.
NO_CHARACTER_STYLE_SHARE = 0.60

# Segments per scene (3..12): short scenes are more common than long ones.
SCENE_LENGTHS: tuple[int, ...] = tuple(range(3, 13))
SCENE_LENGTH_WEIGHTS: tuple[float, ...] = (
    0.08, 0.11, 0.13, 0.13, 0.12, 0.11, 0.09, 0.08, 0.08, 0.07,
)  # fmt: skip
MAX_SCENE_LENGTH = SCENE_LENGTHS[-1]

TENANTS: tuple[str, ...] = ("northlight", "kitefilms")
# project -> tenant index
PROJECTS: dict[str, int] = {
    "aurora": 0,
    "blue-harbor": 0,
    "midnight-run": 0,
    "paper-moon": 1,
    "saltwater": 1,
}
PROJECT_WEIGHTS: tuple[float, ...] = (0.30, 0.20, 0.15, 0.20, 0.15)
CREATORS: tuple[str, ...] = (
    "ana.k", "ben.o", "chloe.r", "dev.p", "emre.t", "fatima.s",
    "gus.l", "hana.m", "ivan.d", "jade.w", "kofi.a", "lena.v",
)  # fmt: skip

WORKERS: tuple[str, ...] = tuple(f"gpu-node-{i:02d}" for i in range(1, 25))
# gpu-node-01..16 are A100s, 17..24 H100s; both have 80 GB.
WORKER_GPUS: tuple[str, ...] = ("A100-80GB",) * 16 + ("H100-80GB",) * 8


def weights(values: tuple[float, ...]) -> np.ndarray:
    """Normalized probabilities, so hand-typed weights need not sum to exactly 1."""
    array = np.asarray(values, dtype=np.float64)
    return array / array.sum()


def model_mix() -> np.ndarray:
    """Model probabilities per workflow: rows w01..w04, columns m01..m04."""
    rows = []
    for workflow in WORKFLOWS:
        excluded = MODELS_EXCLUDED_BY_WORKFLOW.get(workflow, ())
        row = [
            0.0 if model in excluded else w for model, w in zip(MODELS, MODEL_WEIGHTS, strict=True)
        ]
        rows.append(weights(tuple(row)))
    return np.vstack(rows)


def lora_mix() -> np.ndarray:
    """LoRA probabilities per character: rows c01..c15 then "no character"; columns l01..l20, none.

    Built once per run; sampling a row with a uniform draw picks a scene's LoRA.
    """
    n_chars, n_loras = len(CHARACTERS), len(LORAS)
    mix = np.zeros((n_chars + 1, n_loras + 1))
    style = [LORAS.index(lora) for lora in STYLE_LORAS]
    exclusive = LORAS.index(EXCLUSIVE_LORA)
    for i, character in enumerate(CHARACTERS):
        if character == EXCLUSIVE_CHARACTER:
            mix[i, exclusive] = 1.0
            continue
        others = [j for j in range(n_chars) if j not in (i, exclusive)]
        mix[i, i] = OWN_LORA_SHARE
        mix[i, style] = STYLE_LORA_SHARE / len(style)
        mix[i, others] = OTHER_CHARACTER_LORA_SHARE / len(others)
        mix[i, n_loras] = NO_LORA_SHARE
        if character == BORROWER:
            mix[i, i] -= BORROWED_SHARE
            mix[i, LORAS.index(BORROWED_LORA)] += BORROWED_SHARE
    mix[n_chars, style] = NO_CHARACTER_STYLE_SHARE / len(style)
    mix[n_chars, n_loras] = 1.0 - NO_CHARACTER_STYLE_SHARE
    return mix
