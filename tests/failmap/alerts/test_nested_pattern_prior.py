"""A broad pattern's rate is a mix: the prior of a configuration inside it follows its own values.

The shape of the LAMMPS regression suite: one workflow fails at about half its segments, but
within it one model fails at 25 % and the other at 85 % (nearly every check of that model fails,
so it surfaces as a pattern of its own; the 25 % model does not, it is better than the rest).
Each configuration of the suite has a handful of segments, so its prediction leans on its
prior. Before the prior was shifted to the configuration's values, every configuration of the
25 % model was predicted near the workflow's rate (~0.5): a pattern's rate stood for every
configuration in it, however different its other values were.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from failmap import database
from failmap.alerts import Predictor, check_configuration, load_snapshot
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


@pytest.fixture(scope="module")
def nested(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
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
    target = tmp_path_factory.mktemp("nested_target")
    run_dbt(url, ["run", "--select", "+prediction_parameters"], target)
    return url


def _by_model(url: str) -> dict[str, tuple[float, float]]:
    """model -> (mean predicted rate, its segments' own rate) of the suite's configurations."""
    with database.connect(url) as conn:
        rows = conn.execute(
            "select dimension_model, avg(predicted_failure_rate),"
            " sum(failure_count)::float / sum(total_count)"
            " from predictions.configuration_rates where dimension_workflow = 'suite'"
            " group by dimension_model"
        ).fetchall()
    return {model: (predicted, own) for model, predicted, own in rows}


def test_the_workflow_pattern_governs_the_low_model(nested: str) -> None:
    with database.connect(nested) as conn:
        surfaced = {
            key for (key,) in conn.execute("select pattern_key from marts.failure_patterns")
        }
        governing = conn.execute(
            "select distinct governing_pattern_key from predictions.configuration_rates"
            " where dimension_model = 'low'"
        ).fetchall()
    assert "workflow=suite" in surfaced
    assert governing == [("workflow=suite",)]


def test_configurations_inside_a_broad_pattern_are_predicted_at_their_own_values_rate(
    nested: str,
) -> None:
    by_model = _by_model(nested)
    for model in ("low", "high"):
        predicted, own = by_model[model]
        assert predicted == pytest.approx(RATES[("suite", model)], abs=0.06), model
        assert predicted == pytest.approx(own, abs=0.05), model


def test_python_predictions_equal_dbt_where_patterns_are_shifted(nested: str) -> None:
    dimensions = ("workflow", "model", "lora", "character", "scene_type", "segment_position")
    with database.connect(nested) as conn:
        cursor = conn.execute("select * from predictions.configuration_rates")
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        cells = [{d: row[f"dimension_{d}"] for d in dimensions} for row in rows]
        predictions = Predictor(conn, load_snapshot(conn)).predict(cells)
    shifted = [
        row for row in rows
        if row["pattern_prior_rate"] is not None
        and abs(row["pattern_prior_rate"] - row["pattern_failure_rate"]) > 0.05
    ]  # fmt: skip
    assert len(shifted) >= SCENES
    for row, prediction in zip(rows, predictions, strict=True):
        assert prediction.configuration_key == row["configuration_key"]
        if row["pattern_prior_rate"] is None:
            assert prediction.pattern_prior_rate is None
        else:
            assert prediction.pattern_prior_rate == pytest.approx(
                row["pattern_prior_rate"], abs=1e-12
            )
        assert prediction.prior_rate == pytest.approx(row["prior_rate"], abs=1e-12)
        assert prediction.prior_strength == pytest.approx(row["prior_strength"], abs=1e-9)
        assert prediction.predicted_failure_rate == pytest.approx(
            row["predicted_failure_rate"], abs=1e-12
        )


def test_the_configuration_check_says_the_same(nested: str) -> None:
    result = check_configuration(
        nested, workflow="suite", model="low", lora="none", character="none",
        scene_type="scene07", segment_position=1, log=False,
    )  # fmt: skip
    with database.connect(nested) as conn:
        (expected,) = conn.execute(
            "select predicted_failure_rate from predictions.configuration_rates"
            " where configuration_key = %s",
            (
                "workflow=suite|model=low|lora=none|character=none|scene_type=scene07"
                "|segment_position=1-3",
            ),
        ).fetchone()
    assert result.predicted_failure_rate == pytest.approx(expected, abs=1e-12)
    assert result.predicted_failure_rate < 0.35


def test_a_configuration_that_fares_better_within_a_pattern_does_not_take_its_severity(
    nested: str,
) -> None:
    def check(model: str):
        return check_configuration(
            nested, workflow="suite", model=model, lora="none", character="none",
            scene_type="scene07", segment_position=1, log=False,
        )  # fmt: skip

    low, high = check("low"), check("high")
    (suite_low,) = [p for p in low.patterns if p.pattern_key == "workflow=suite"]
    assert suite_low.severity == "high"
    assert suite_low.fares_better
    assert suite_low.configuration_rate == pytest.approx(0.25, abs=0.06)
    assert low.severity != "high"
    assert "fares better within it" in low.summary()
    assert not any(p.fares_better for p in high.patterns)
    assert high.severity == "high"
