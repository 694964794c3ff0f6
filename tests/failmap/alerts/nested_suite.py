"""A suite shaped like the LAMMPS regression suite: one broad pattern, two very different models.

One workflow fails at about half its segments, but within it one model fails at 25 % and the
other at 85 % (so that model surfaces as a pattern of its own; the 25 % model does not, it is
better than the rest). Each configuration of the suite has a handful of segments, so its
prediction leans on its prior. Healthy unit tests make up the rest. Used by the prediction
tests and the dashboard's check page test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from failmap import database
from tests.dbt.conftest import new_database, run_dbt

START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
DAYS = 28
SCENES = 60
RATES = {("suite", "low"): 0.25, ("suite", "high"): 0.85}
UNIT_MODELS = ("u1", "u2", "u3", "u4")
UNIT_RATE = 0.02


def _segments(rng: np.random.Generator) -> list[tuple]:
    """(segment_id, evaluated_at, workflow, model, scene_type, position, failed)."""
    rows = []
    for day in range(DAYS):
        at = START + dt.timedelta(days=day)
        # The suite: every scene on both models twice a week (a few segments per configuration).
        for scene in range(SCENES):
            if (scene + day) % 4:
                continue
            for (workflow, model), rate in RATES.items():
                for position in (1, 2):
                    sid = f"{model}-{scene:02d}-{day:02d}-{position}"
                    failed = bool(rng.random() < rate)
                    rows.append((sid, at, workflow, model, f"scene{scene:02d}", position, failed))
        # Unit tests: healthy, plenty of segments.
        for model in UNIT_MODELS:
            for i in range(20):
                sid = f"{model}-{day:02d}-{i:02d}"
                failed = bool(rng.random() < UNIT_RATE)
                rows.append((sid, at, "unit", model, f"family{i % 5}", 1 + i % 3, failed))
    return rows


def build_nested_database(
    server_url: str,
    target: Path,
    select: tuple[str, ...] = ("+prediction_parameters", "+failure_patterns"),
) -> str:
    """A new database with the suite's segments in raw and the `select`ed models built (the
    prediction models and what they read by default)."""
    url = new_database(server_url)
    rows = _segments(np.random.default_rng(11))
    with database.connect(url) as conn, conn.cursor() as cursor:
        with cursor.copy(
            "copy raw.quality_scores (score_id, evaluated_at, job_id, segment_id,"
            " segment_position, workflow, model, scene_type, check_name, passed, file_id,"
            " source_line) from stdin"
        ) as copy:
            for line, (sid, at, workflow, model, scene, position, failed) in enumerate(rows):
                copy.write_row((
                    f"qs-{sid}", at, f"job-{sid}", sid, position, workflow, model, scene,
                    "face_consistency", not failed, 1, line,
                ))  # fmt: skip
        conn.commit()
    run_dbt(url, ["run", "--select", *select], target)
    return url
