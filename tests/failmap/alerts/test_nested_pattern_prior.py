"""A broad pattern's rate is a mix: the prior of a configuration inside it follows its own values.

On the suite of nested_suite.py (a workflow at ~55 % holding a model at 25 % and one at 85 %,
a handful of segments per configuration). Before the prior was shifted to the configuration's
values, every configuration of the 25 % model was predicted near the workflow's rate (~0.5): a
pattern's rate stood for every configuration in it, however different its other values were.
"""

from __future__ import annotations

import pytest

from failmap import database
from failmap.alerts import Predictor, check_configuration, load_snapshot
from tests.failmap.alerts.nested_suite import RATES, SCENES, build_nested_database


@pytest.fixture(scope="module")
def nested(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_nested_database(server_url, tmp_path_factory.mktemp("nested_target"))


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
