"""The input contract of ARCHITECTURE.md as data: one place that says what a valid row is.

Validation SQL, the quarantine reasons, the demo generator's tests and the docs all read these
specs, so a rule changes in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ValueKind = Literal["text", "timestamp", "integer", "float", "boolean", "json_object"]


@dataclass(frozen=True)
class Column:
    """One input column and the rules a value in it must follow."""

    name: str
    kind: ValueKind = "text"
    required: bool = False
    min_value: float | None = None
    max_value: float | None = None
    choices: tuple[str, ...] | None = None


@dataclass(frozen=True)
class FileKind:
    """A kind of landing file: recognised by its name prefix, keyed by one id column."""

    name: str
    table: str
    key: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)


QUALITY_SCORES = FileKind(
    name="quality_scores",
    table="quality_scores",
    key="score_id",
    columns=(
        Column("score_id", required=True),
        Column("evaluated_at", "timestamp", required=True),
        Column("job_id", required=True),
        Column("scene_id"),
        Column("segment_id", required=True),
        Column("segment_position", "integer", required=True, min_value=1),
        Column("workflow", required=True),
        Column("workflow_version"),
        Column("model", required=True),
        Column("model_version"),
        Column("lora"),
        Column("character"),
        Column("scene_type", required=True),
        Column("check_name", required=True),
        Column("score", "float", min_value=0, max_value=1),
        Column("threshold", "float"),
        Column("passed", "boolean", required=True),
        Column("failure_reason"),
        Column("creator"),
        Column("project"),
    ),
)

RUNS = FileKind(
    name="runs",
    table="runs",
    key="run_id",
    columns=(
        Column("run_id", required=True),
        Column("started_at", "timestamp", required=True),
        Column("finished_at", "timestamp"),
        Column("status", required=True, choices=("succeeded", "failed", "cancelled")),
        Column("workflow"),
        Column("workflow_version"),
        Column("model"),
        Column("model_version"),
        Column("lora"),
        Column("character"),
        Column("scene_type"),
        Column("tenant"),
        Column("error_code"),
        Column("failure_reason"),
        Column("phase_errors", "json_object"),
        Column("recovery_attempted", "boolean"),
        Column("recovery_succeeded", "boolean"),
        Column("step_index", "integer"),
        Column("context", "json_object"),
    ),
)

FILE_KINDS: tuple[FileKind, ...] = (QUALITY_SCORES, RUNS)

BOOLEAN_TRUE = ("true", "1", "t")
BOOLEAN_FALSE = ("false", "0", "f")


def kind_for_file_name(file_name: str) -> FileKind | None:
    """The kind a landing file holds, from its name prefix (`quality_scores*`, `runs*`)."""
    lowered = file_name.lower()
    for kind in FILE_KINDS:
        if lowered.startswith(kind.name):
            return kind
    return None
