"""The prediction's pieces: Python and dbt agree, the statistics are right, thresholds match."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from failmap import database
from failmap.alerts import Predictor, load_snapshot, thresholds
from failmap.alerts.configuration import Configuration, bucket_bounds, position_bucket
from failmap.alerts.prediction import plan_slots
from tests.conftest import REPO_ROOT
from tests.failmap.alerts.conftest import DIMENSIONS, DemoAlerts


def test_python_predictions_equal_dbt_configuration_rates(demo_alerts: DemoAlerts) -> None:
    with database.connect(demo_alerts.url) as conn:
        cursor = conn.execute("select * from predictions.configuration_rates")
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        cells = [{d: row[f"dimension_{d}"] for d in DIMENSIONS} for row in rows]
        predictions = Predictor(conn, load_snapshot(conn)).predict(cells)
    assert len(rows) > 1000
    for row, prediction in zip(rows, predictions, strict=True):
        assert prediction.configuration_key == row["configuration_key"]
        assert prediction.total_count == row["total_count"]
        assert prediction.background_rate == pytest.approx(row["background_rate"], abs=1e-12)
        assert prediction.prior_rate == pytest.approx(row["prior_rate"], abs=1e-12)
        assert prediction.prior_strength == pytest.approx(row["prior_strength"], abs=1e-9)
        assert sorted(m.pattern.pattern_key for m in prediction.patterns) == row["pattern_keys"]
        assert prediction.predicted_failure_rate == pytest.approx(
            row["predicted_failure_rate"], abs=1e-12
        )
        assert prediction.lower <= prediction.predicted_failure_rate <= prediction.upper


def test_dispersion_is_the_method_of_moments_estimate(demo_alerts: DemoAlerts) -> None:
    with database.connect(demo_alerts.url) as conn:
        rows = conn.execute(
            "select dimension_set, background_failure_count, background_total_count, prior_rate,"
            " dispersion, prior_strength from predictions.background_rates"
        ).fetchall()
    by_set: dict[str, list] = {}
    for row in rows:
        by_set.setdefault(row[0], []).append(row[1:])
    assert len(by_set) == 41
    for dimension_set, members in by_set.items():
        columns = zip(*members, strict=True)
        x, n, m, dispersion, strength = (np.array(column, dtype=float) for column in columns)
        expected = ((x - n * m) ** 2 - n * m * (1 - m)).sum() / (n * (n - 1) * m * (1 - m)).sum()
        assert dispersion == pytest.approx(expected, rel=1e-9), dimension_set
        if expected > 0:
            assert strength == pytest.approx(max(0.0, 1 / expected - 1), rel=1e-9)
        else:
            assert np.isnan(strength).all(), dimension_set


def test_thresholds_equal_the_pattern_engines_vars() -> None:
    project = yaml.safe_load(Path(REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text())
    variables = project["vars"]
    assert variables["confidence_level"] == thresholds.CONFIDENCE_LEVEL
    assert variables["min_risk_ratio"] == thresholds.MIN_RISK_RATIO
    assert variables["severity_high_failure_rate"] == thresholds.SEVERITY_HIGH_FAILURE_RATE
    assert variables["severity_high_risk_ratio"] == thresholds.SEVERITY_HIGH_RISK_RATIO
    assert variables["severity_medium_failure_rate"] == thresholds.SEVERITY_MEDIUM_FAILURE_RATE
    assert variables["severity_medium_risk_ratio"] == thresholds.SEVERITY_MEDIUM_RISK_RATIO


@pytest.mark.parametrize(
    ("predicted", "lower", "severity"),
    [
        (0.50, 0.40, "high"),  # >= 35 % and >= 3x the typical 8 %
        (0.30, 0.20, "medium"),  # >= 15 % (and 3.75x, but below 35 %)
        (0.17, 0.09, "medium"),  # >= 15 %
        (0.13, 0.10, "low"),  # 1.6x, below 15 % and 2x
        (0.50, 0.07, "none"),  # interval reaches below the typical rate: not credible
        (0.11, 0.09, "none"),  # 1.4x: below min_risk_ratio
    ],
)
def test_rate_severity(predicted: float, lower: float, severity: str) -> None:
    assert thresholds.rate_severity(predicted, lower, 0.08) == severity


def test_position_buckets_from_the_labels_in_the_data() -> None:
    bounds = bucket_bounds(["6+", "1-3", "4-5"])
    assert [position_bucket(p, bounds) for p in (1, 3, 4, 5, 6, 40)] == [
        "1-3", "1-3", "4-5", "4-5", "6+", "6+",
    ]  # fmt: skip
    assert position_bucket(9, bucket_bounds(["1-3", "4-5"])) == "9"  # beyond: a new value


def test_scene_slots_weight_positions(demo_alerts: DemoAlerts) -> None:
    with database.connect(demo_alerts.url) as conn:
        snapshot = load_snapshot(conn)
    scene = Configuration.build(workflow="w", model="m", scene_type="s", segments=7)
    slots = plan_slots(scene, snapshot)
    assert [(s.bucket, s.positions) for s in slots] == [
        ("1-3", (1, 2, 3)), ("4-5", (4, 5)), ("6+", (6, 7)),
    ]  # fmt: skip
    assert sum(s.weight for s in slots) == pytest.approx(1)
    anywhere = plan_slots(Configuration.build(workflow="w", model="m", scene_type="s"), snapshot)
    assert [s.bucket for s in anywhere] == ["1-3", "4-5", "6+"]
    assert sum(s.weight for s in anywhere) == pytest.approx(1)


@pytest.mark.parametrize(
    ("failures", "total", "prior", "strength"),
    [(6302, 6302, 0.72, 0.0), (6302, 6302, 0.72, 3.0), (0, 5000, 0.01, 0.0), (3, 10, 0.4, 20.0)],
)
def test_the_interval_holds_the_estimate_even_at_0_and_100_percent(
    failures: int, total: int, prior: float, strength: float
) -> None:
    from failmap.alerts.prediction import CellPrediction, shrunk

    estimate = shrunk(failures, total, prior, strength)
    prediction = CellPrediction(
        values={},
        configuration_key="",
        total_count=total,
        failure_count=failures,
        background_rate=prior,
        pattern_rate=None,
        pattern_prior_rate=None,
        prior_rate=prior,
        prior_strength=strength,
        predicted_failure_rate=estimate,
        patterns=(),
        unknown_dimensions=(),
        alpha=max(failures + strength * prior, 1e-9),
        beta=max(total - failures + strength * (1 - prior), 1e-9),
        confidence_level=0.95,
    )
    assert 0.0 <= prediction.lower <= estimate <= prediction.upper <= 1.0


def test_a_prior_weighs_no_more_than_the_segments_behind_it() -> None:
    """evidence_strength adds the pattern rate's sampling variance m(1-m)/N to the
    configurations' spread m(1-m)/(M+1): the prior's variance is the sum of the two."""
    from failmap.alerts.prediction import evidence_strength

    m, spread = 0.45, 240.0
    for evidence in (10, 53, 500, 10**7):
        strength = evidence_strength(spread, evidence)
        variance = m * (1 - m) / (strength + 1)
        assert variance == pytest.approx(m * (1 - m) / (spread + 1) + m * (1 - m) / evidence)
        assert strength <= min(spread, evidence)
    assert evidence_strength(spread, 10**9) == pytest.approx(spread, rel=1e-6)
    assert evidence_strength(spread, 1) == 0.0  # one segment: nothing to lean on
    assert evidence_strength(spread, 0) == spread  # no count known: the configuration strength


def test_a_pattern_at_100_percent_on_few_segments_leaves_room_below_it() -> None:
    """A configuration never seen, governed by a pattern that failed 20 of 20 (LAMMPS: neb, one
    day): its prior is the pattern's rate as an estimate, (20 + 1/2) / 21, weighing about 20
    segments, so the interval reaches well below 100 % instead of printing 100 %-100 %."""
    from failmap.alerts.prediction import (
        CellPrediction,
        evidence_strength,
        rate_estimate,
        shrunk,
    )

    assert rate_estimate(1.0, 20) == pytest.approx(20.5 / 21)
    assert rate_estimate(0.0, 20) == pytest.approx(0.5 / 21)
    assert rate_estimate(0.3, 10_000) == pytest.approx(0.3, abs=1e-4)
    assert rate_estimate(0.4, 0) == 0.4  # no count known: as measured
    prior = rate_estimate(1.0, 20)
    strength = evidence_strength(240.0, 20)
    prediction = CellPrediction(
        values={},
        configuration_key="",
        total_count=0,
        failure_count=0,
        background_rate=0.1,
        pattern_rate=1.0,
        pattern_prior_rate=prior,
        prior_rate=prior,
        prior_strength=strength,
        predicted_failure_rate=shrunk(0, 0, prior, strength),
        patterns=(),
        unknown_dimensions=(),
        alpha=max(strength * prior, 1e-9),
        beta=max(strength * (1 - prior), 1e-9),
        confidence_level=0.95,
    )
    assert 0.5 < prediction.lower < 0.95 < prediction.predicted_failure_rate < 1.0
