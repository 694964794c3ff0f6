"""One demo database for the alerts tests: nine weeks of demo data, the first eight loaded.

The last weekly file is held out for the calibration test: the marts are built from days 0-55
and the prediction is compared with what happened on days 56-62. The database is built once per
session; tests that write fixes get their own copy (`demo_copy_url`), checks only add their
own rows to app.alert_log.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pandas as pd
import pytest

from failmap import database
from failmap.demo import PLANTED, write_demo_data
from failmap.demo.spec import position_buckets
from tests.conftest import with_database
from tests.dbt.conftest import loaded_database, run_dbt

START = dt.date(2026, 1, 5)
DAYS = 63  # nine weekly files: train on eight, predict the ninth
DIMENSIONS = ("workflow", "model", "lora", "character", "scene_type", "segment_position")


@dataclass(frozen=True)
class DemoAlerts:
    """The built database and the held-out last week, one row per segment."""

    url: str
    database_name: str
    held_out: pd.DataFrame  # segment dimensions (position as bucket), failed, planted_rate


def _segments(quality_scores: pd.DataFrame) -> pd.DataFrame:
    segments = quality_scores.groupby("segment_id", sort=False).agg(
        workflow=("workflow", "first"),
        workflow_version=("workflow_version", "first"),
        model=("model", "first"),
        model_version=("model_version", "first"),
        lora=("lora", "first"),
        character=("character", "first"),
        scene_type=("scene_type", "first"),
        segment_position=("segment_position", "first"),
        passed=("passed", "all"),
        evaluated_at=("evaluated_at", "first"),
    )
    day = pd.to_datetime(segments["evaluated_at"], utc=True).dt.date
    offset = (pd.to_datetime(day) - pd.Timestamp(START)).dt.days.to_numpy()
    segments["planted_rate"] = PLANTED.failure_rate(segments, day=offset, days=DAYS)
    segments["segment_position"] = position_buckets(segments["segment_position"].to_numpy())
    segments["lora"] = segments["lora"].fillna("none").replace("", "none")
    segments["character"] = segments["character"].fillna("none").replace("", "none")
    segments["failed"] = ~segments["passed"]
    return segments.reset_index()


@pytest.fixture(scope="session")
def demo_alerts(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> DemoAlerts:
    out = tmp_path_factory.mktemp("alerts_demo")
    write_demo_data(
        out,
        days=DAYS,
        segments_per_day=PLANTED.default_segments_per_day,
        seed=PLANTED.default_seed,
        start=START,
        file_format="parquet",
    )
    files = sorted(out.iterdir())
    last_start = (START + dt.timedelta(days=DAYS - 7)).isoformat()
    held_out = [f for f in files if f.name.split("_")[-2] == last_start]
    assert len(held_out) == 2, [f.name for f in files]
    url = loaded_database(server_url, [f for f in files if f not in held_out])
    target = tmp_path_factory.mktemp("alerts_target")
    mine = ["int_cells_patterns_matched+", "stg_app__pattern_fixes+", "stg_app__alert_log+"]
    # What the alerts models read (the pattern engine) is only run; the alerts models are built
    # with their data tests and contracts.
    run_dbt(
        url,
        ["run", "--select", "+prediction_parameters", "+failure_patterns", "+fix_effectiveness",
         "+kpis", "--exclude", *mine],
        target,
    )  # fmt: skip
    run_dbt(url, ["build", "--select", *mine], target)
    scores = pd.read_parquet(next(f for f in held_out if f.name.startswith("quality_scores")))
    return DemoAlerts(url=url, database_name=url.split("?")[0].rsplit("/", 1)[1],
                      held_out=_segments(scores))  # fmt: skip


@pytest.fixture
def demo_copy_url(demo_alerts: DemoAlerts, server_url: str) -> str:
    """A private copy of the demo database, for tests that record fixes."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with database.connect(server_url, autocommit=True) as conn:
        conn.execute(f"create database {name} template {demo_alerts.database_name}")
    return with_database(server_url, name)


def planted_configuration(effect_name: str) -> dict[str, object]:
    """A full configuration inside a planted effect and no other: neutral values elsewhere.

    The position is the first of the effect's bucket (or 2 when the effect has none).
    """
    effect = next(e for e in PLANTED.effects if e.name == effect_name)
    values: dict[str, object] = {
        "workflow": "w01",
        "model": "m01",
        "lora": "l01",
        "character": "c01",
        "scene_type": "closeup",
        **{k: v for k, v in effect.dims.items() if k != "segment_position"},
    }
    if effect.alias:
        values.update(effect.alias)
    bucket = effect.dims.get("segment_position")
    values["segment_position"] = (
        PLANTED.position_bucket_lower_bounds[PLANTED.position_bucket_labels.index(bucket)]
        if bucket
        else 2
    )
    assert planted_rate(values) == effect.rate, "neutral values must add no other effect"
    return values


def planted_rate(values: dict[str, object], day: int = DAYS - 8) -> float:
    """The planted failure probability of a configuration (current versions) on day offset
    `day` (default: the last day in the marts)."""
    frame = pd.DataFrame([{**values, "workflow_version": "current", "model_version": "current"}])
    return float(PLANTED.failure_rate(frame, day=day, days=DAYS)[0])


def pattern_row(url: str, pattern_key: str) -> dict | None:
    with database.connect(url) as conn:
        cursor = conn.execute(
            "select * from marts.failure_patterns where pattern_key = %s", (pattern_key,)
        )
        row = cursor.fetchone()
        names = [column.name for column in cursor.description]
        return None if row is None else dict(zip(names, row, strict=True))
