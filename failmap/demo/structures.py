"""Demo data with the structures real test results have and the planted demo lacks.

The main demo (`failmap.demo.generator`) plants effects on a balanced studio mix: every value is
used with every other, and the base rate is low. Real compatibility results look different
(issue 13): one suite fails most of the time and another almost never, a tool version is only
recorded by one suite, a library version breaks one suite completely, another one regresses only
in the healthy suite. `write_structures_data` writes such data as one `quality_scores` CSV, with
the truth in `STRUCTURES`, so tests can show that the pattern engine and the daily flags handle
each structure (docs/patterns.md, "Worked examples"):

- **nested value**: tool version (LoRA) `t1` is only recorded by suite `suite-a` and is the best
  tool version there (55 % against 95 %); overall it fails far more than the base rate, so an
  engine comparing with everything blames it.
- **100 % child of a 75 % parent**: library version (model) `v03` fails every test of
  `suite-a`, which fails 75 % without it: a failure ratio of 1.33, material only as a pass rate
  falling from 25 % to 0 %.
- **regression hidden by another suite**: `v06` fails 35 % in the healthy `suite-b` (4 % for
  the other versions) and like the others in `suite-a`: overall it is no worse than the rest.
- **p-value ties**: the strongest combinations have p-values far below 1e-308 (0 in double
  precision); only their logs rank them.
- **fragments**: `v03` in `suite-a` fails on every dataset (character) and data kind (scene type)
  at 100 %: dozens of children of one cause.
- **a healthy-only day**: on `HEALTHY_ONLY_DAY` only `suite-b` runs, so the overall daily rate
  falls from ~37 % to ~6 % without anything having changed.

Deterministic: the same seed gives the same bytes. Standard library and numpy only.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SUITES: tuple[str, ...] = ("suite-a", "suite-b")
SUITE_SHARES: tuple[float, ...] = (0.45, 0.55)
LIBRARY_VERSIONS: tuple[str, ...] = tuple(f"v{i:02d}" for i in range(1, 9))
TOOL_VERSIONS: tuple[str, ...] = ("t1", "t2", "t3")  # recorded by suite-a only
TOOL_VERSION_SHARES: tuple[float, ...] = (0.5, 0.25, 0.25)
DATA_KINDS: tuple[str, ...] = ("k1", "k2", "k3", "k4")
DATASETS: tuple[str, ...] = tuple(f"d{i:02d}" for i in range(1, 41))  # d_i is of kind k_(i%4)
HEALTHY_ONLY_DAY = 15


@dataclass(frozen=True)
class StructuresTruth:
    """What is true by construction in the structures data (rates are probabilities)."""

    nested_best_lora: str = "t1"
    nested_in_workflow: str = "suite-a"
    nested_best_rate: float = 0.55
    nested_other_rate: float = 0.95
    broken_model: str = "v03"
    broken_workflow: str = "suite-a"
    regressed_model: str = "v06"
    regressed_workflow: str = "suite-b"
    regressed_rate: float = 0.35
    healthy_rate: float = 0.04
    healthy_only_day: int = HEALTHY_ONLY_DAY


STRUCTURES = StructuresTruth()


def dataset_kind(dataset: str) -> str:
    """The data kind a dataset belongs to (every dataset has exactly one)."""
    return DATA_KINDS[int(dataset[1:]) % len(DATA_KINDS)]


def failure_probability(workflow: str, model: str, lora: str) -> float:
    """The planted probability that a test of this configuration fails."""
    truth = STRUCTURES
    if workflow == truth.broken_workflow:
        if model == truth.broken_model:
            return 1.0
        return truth.nested_best_rate if lora == truth.nested_best_lora else truth.nested_other_rate
    if model == truth.regressed_model:
        return truth.regressed_rate
    return truth.healthy_rate


def write_structures_data(
    out_dir: Path,
    days: int = 20,
    tests_per_day: int = 2000,
    seed: int = 1,
    start: dt.date = dt.date(2026, 1, 1),
) -> Path:
    """Write `days` days of compatibility-test results as one quality_scores CSV in `out_dir`.

    One row is one test (one segment with one check). Returns the file's path.
    """
    if days < 1 or tests_per_day < 1:
        raise ValueError(f"days ({days}) and tests_per_day ({tests_per_day}) must be at least 1")
    rng = np.random.default_rng(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"quality_scores_structures_seed{seed}.csv"
    partial = path.with_suffix(".csv.partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(_COLUMNS)
        for day in range(days):
            writer.writerows(_day_rows(rng, day, start, tests_per_day))
    partial.replace(path)
    return path


_COLUMNS = (
    "score_id", "evaluated_at", "job_id", "scene_id", "segment_id", "segment_position",
    "workflow", "workflow_version", "model", "model_version", "lora", "character", "scene_type",
    "check_name", "score", "threshold", "passed", "failure_reason", "creator", "project",
)  # fmt: skip


def _day_rows(rng: np.random.Generator, day: int, start: dt.date, count: int) -> list[list[str]]:
    suites = np.array(SUITES)[rng.choice(len(SUITES), size=count, p=SUITE_SHARES)]
    if day == HEALTHY_ONLY_DAY:
        suites[:] = "suite-b"
    models = np.array(LIBRARY_VERSIONS)[rng.integers(len(LIBRARY_VERSIONS), size=count)]
    tools = np.array(TOOL_VERSIONS)[
        rng.choice(len(TOOL_VERSIONS), size=count, p=TOOL_VERSION_SHARES)
    ]
    datasets = np.array(DATASETS)[rng.integers(len(DATASETS), size=count)]
    draws = rng.random(count)
    moment = dt.datetime.combine(start + dt.timedelta(days=day), dt.time(12), tzinfo=dt.UTC)
    rows = []
    for index in range(count):
        suite, model, dataset = str(suites[index]), str(models[index]), str(datasets[index])
        lora = str(tools[index]) if suite == STRUCTURES.nested_in_workflow else ""
        failed = bool(draws[index] < failure_probability(suite, model, lora))
        reason = ""
        if failed:
            broken = suite == STRUCTURES.broken_workflow and model == STRUCTURES.broken_model
            reason = "timeout" if broken else "failed"
        test_id = f"s{day:03d}-{index:06d}"
        rows.append(
            [
                test_id,
                moment.isoformat(),
                f"run-{day:03d}-{suite}",
                f"{suite}-{dataset}",
                test_id,
                "1",
                suite,
                "1.0",
                model,
                "",
                lora,
                dataset,
                dataset_kind(dataset),
                "compatibility",
                "",
                "",
                "false" if failed else "true",
                reason,
                "",
                "",
            ]
        )
    return rows
