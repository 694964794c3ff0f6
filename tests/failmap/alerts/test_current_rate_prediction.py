"""Predictions of the current rate: check_configuration against the generator's true rates now.

Demo data of 70 days, so the planted m04 1.1 regression (day 50, 6% -> 20%, never rolled back)
lies 20 days before the end, beside the pattern that ended on day 30 (l16) and the 2-way
combination that emerges on the last two days (m02 + night, 45%). 300 configurations drawn
at random from those in the data are checked; the truth is `PLANTED.current_rate` on the last
day (the versions running that day). A second data set ends two days after the regression:
configurations on the new version must already be predicted at its rate.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import beta

from failmap import database
from failmap.alerts import check_configuration, thresholds
from failmap.alerts.result import percent
from failmap.demo import PLANTED, write_demo_data
from tests.dbt.conftest import loaded_database, run_dbt

START = dt.date(2026, 5, 4)
REGRESSION = next(c for c in PLANTED.version_changes if c.value == "m04")
DIMENSIONS = ("workflow", "model", "lora", "character", "scene_type", "segment_position")
SAMPLE_SIZE = 300
MAX_MEAN_ABSOLUTE_ERROR = 0.02


def _build(server_url: str, tmp: Path, days: int) -> str:
    files = tmp / "demo"
    write_demo_data(
        files, days=days, segments_per_day=PLANTED.default_segments_per_day,
        seed=PLANTED.default_seed, start=START, file_format="parquet",
    )  # fmt: skip
    url = loaded_database(server_url, sorted(files.iterdir()))
    run_dbt(url, ["run", "--select", "+prediction_parameters", "+failure_patterns"], tmp / "target")
    return url


def _configurations(url: str) -> pd.DataFrame:
    with database.connect(url) as conn:
        rows = conn.execute(
            "select workflow, model, lora, character, scene_type, segment_position "
            "from intermediate.int_cells_aggregated order by 1, 2, 3, 4, 5, 6"
        ).fetchall()
    return pd.DataFrame(rows, columns=list(DIMENSIONS))


def _predicted(url: str, configurations: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for values in configurations.to_dict("records"):
        result = check_configuration(
            url,
            **{d: values[d] for d in DIMENSIONS if d != "segment_position"},
            segment_position=values["segment_position"],
            log=False,
        )
        rows.append((result.predicted_failure_rate, result.lower, result.upper, result.severity))
    return pd.DataFrame(rows, columns=["predicted", "lower", "upper", "severity"])


def _true_rates(configurations: pd.DataFrame, days: int) -> np.ndarray:
    frame = configurations.replace({"lora": {"none": None}, "character": {"none": None}})
    return PLANTED.current_rate(frame, day=days - 1, days=days)


@pytest.fixture(scope="module")
def regressed_70(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return _build(server_url, tmp_path_factory.mktemp("current70"), REGRESSION.day + 20)


def test_predictions_match_the_current_true_rates(regressed_70: str) -> None:
    days = REGRESSION.day + 20
    everything = _configurations(regressed_70)
    sample = everything.sample(SAMPLE_SIZE, random_state=7).reset_index(drop=True)
    truth = _true_rates(sample, days)
    predicted = _predicted(regressed_70, sample)
    error = np.abs(predicted["predicted"].to_numpy() - truth)
    on_new_version = (sample["model"] == REGRESSION.value).to_numpy()
    worst = sample.assign(truth=truth, predicted=predicted["predicted"], error=error)
    with database.connect(regressed_70) as conn:
        (overall,) = conn.execute(
            "select sum(failure_count)::float / sum(segment_count)"
            " from intermediate.int_daily_cells_aggregated"
        ).fetchone()
    print(
        f"\nMAE {error.mean():.4f} over {SAMPLE_SIZE} (the overall rate for everything: "
        f"{np.abs(overall - truth).mean():.4f}); on the {on_new_version.sum()} m04 "
        f"configurations {error[on_new_version].mean():.4f}, mean prediction "
        f"{predicted['predicted'][on_new_version].mean():.4f}"
    )
    assert error.mean() <= MAX_MEAN_ABSOLUTE_ERROR, (
        f"MAE {error.mean():.4f}; on m04 {error[on_new_version].mean():.4f}; "
        f"worst {worst.nlargest(5, 'error').to_dict('records')}"
    )


def test_the_interval_contains_the_estimate(regressed_70: str) -> None:
    everything = _configurations(regressed_70)
    sample = everything.sample(60, random_state=11).reset_index(drop=True)
    predicted = _predicted(regressed_70, sample)
    assert (predicted["lower"] <= predicted["predicted"]).all()
    assert (predicted["predicted"] <= predicted["upper"]).all()


def test_the_new_version_is_predicted_at_its_rate_within_two_days(
    server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    days = REGRESSION.day + 2
    url = _build(server_url, tmp_path_factory.mktemp("current52"), days)
    everything = _configurations(url)
    on_m04 = everything[
        (everything["model"] == REGRESSION.value)
        & (everything["scene_type"] != "night")  # no other effect on these
        & (everything["character"] != "c14")
        & (everything["lora"] != "l16")
    ]
    sample = on_m04.sample(min(len(on_m04), 100), random_state=3).reset_index(drop=True)
    truth = _true_rates(sample, days)
    assert np.allclose(truth, REGRESSION.rate_after)
    predicted = _predicted(url, sample)["predicted"].to_numpy()
    with database.connect(url) as conn:
        (since_change,) = conn.execute(
            "select sum(segment_count) from intermediate.int_daily_cells_aggregated "
            "where model = %s and day >= %s",
            (REGRESSION.value, START + dt.timedelta(days=REGRESSION.day)),
        ).fetchone()
    # Two days of m04 1.1 (~440 segments): the new rate to within the noise of two days, far
    # from the old version's 6%.
    rate = REGRESSION.rate_after
    noise = 3 * np.sqrt(rate * (1 - rate) / int(since_change))
    print(f"\nm04 two days after: mean prediction {predicted.mean():.4f} ({since_change} segments)")
    assert abs(predicted.mean() - rate) <= noise, (predicted.mean(), noise)


# Severity, alternatives and the headline follow the current rate.

NEUTRAL = {"workflow": "w01", "lora": "l01", "character": "c01", "segment_position": 2}


def _pattern(url: str, pattern_key: str) -> dict:
    with database.connect(url) as conn:
        cursor = conn.execute(
            "select * from marts.failure_patterns where pattern_key = %s", (pattern_key,)
        )
        row = cursor.fetchone()
        assert row is not None, f"{pattern_key} is not surfaced"
        return dict(zip([c.name for c in cursor.description], row, strict=True))


def test_a_pattern_back_at_baseline_is_low_whatever_its_history(regressed_70: str) -> None:
    """l16 failed at 25 % until day 30: over its history that is medium (>= 15 %), but it fails
    at the baseline rate now, so its severity is low."""
    ended = next(p for p in PLANTED.expected_patterns if p.status == "resolved")
    row = _pattern(regressed_70, ended.pattern_key)
    assert row["status"] == "resolved"
    assert (
        row["failure_rate"] >= thresholds.SEVERITY_MEDIUM_FAILURE_RATE
        or row["risk_ratio"] >= thresholds.SEVERITY_MEDIUM_RISK_RATIO
    ), "its whole history must be at least medium for this test to mean anything"
    assert row["current_failure_rate"] < thresholds.SEVERITY_MEDIUM_FAILURE_RATE
    assert row["severity"] == "low"


def test_a_configuration_on_the_regressed_version_warns_and_its_old_peer_does_not(
    regressed_70: str,
) -> None:
    regressed = {**NEUTRAL, "model": REGRESSION.value, "scene_type": "closeup"}
    peer = {**regressed, "model": "m01"}
    days = REGRESSION.day + 20
    truth = _true_rates(pd.DataFrame([regressed, peer]).astype({"segment_position": int}), days)
    assert list(truth) == [REGRESSION.rate_after, PLANTED.base_rate]

    on_new = check_configuration(regressed_70, **regressed, log=False)
    on_old = check_configuration(regressed_70, **peer, log=False)

    assert thresholds.severity_rank(on_new.severity) >= thresholds.severity_rank("medium")
    assert on_old.severity == "none"
    assert on_new.lower <= REGRESSION.rate_after <= on_new.upper


def test_an_emerging_pattern_warns_with_alternatives_at_its_rate_now(regressed_70: str) -> None:
    """m02 + night fails at 45 % on the last two days only: the check predicts that rate (not
    the 7 % of its history), warns high with the pattern as emerging, and its alternatives and
    headline compare with the rate now."""
    emerging = next(p for p in PLANTED.expected_patterns if p.status == "emerging")
    effect = next(e for e in PLANTED.effects if e.name == emerging.caused_by)
    configuration = {**NEUTRAL, **emerging.dims}
    days = REGRESSION.day + 20
    (truth,) = _true_rates(pd.DataFrame([configuration]), days)
    assert truth == effect.rate

    result = check_configuration(regressed_70, **configuration, log=False)

    assert result.predicted_failure_rate >= thresholds.SEVERITY_HIGH_FAILURE_RATE
    assert result.severity == "high"
    matched = {p.pattern_key: p for p in result.patterns}[emerging.pattern_key]
    assert (matched.status, matched.severity) == ("emerging", "high")
    assert result.alternatives, "a model swap away from m02 is the obvious alternative"
    for alternative in result.alternatives:
        assert alternative.current_failure_rate == result.predicted_failure_rate
        assert alternative.upper < result.predicted_failure_rate
        assert f"vs {percent(result.predicted_failure_rate)}" in alternative.message
    headline = result.summary().splitlines()
    assert headline[1] == "Severity: HIGH"
    assert f"Predicted failure rate: {percent(result.predicted_failure_rate)}" in headline[2]


def test_an_emerging_patterns_interval_reflects_the_few_segments_behind_its_rate(
    regressed_70: str,
) -> None:
    """m02 + night's rate now is measured on its segments since it rose (a few dozen): the
    prediction of its configurations cannot know their rate better than those segments do.
    So each configuration's 95 % interval is at least as wide as the Jeffreys interval of the
    pattern's own segments since its rise (all there is to know about the rate now: the
    configurations' own current segments are among them), and the intervals contain the
    generator's true rate now."""
    emerging = next(p for p in PLANTED.expected_patterns if p.status == "emerging")
    effect = next(e for e in PLANTED.effects if e.name == emerging.caused_by)
    days = REGRESSION.day + 20
    everything = _configurations(regressed_70)
    in_pattern = everything[
        np.logical_and.reduce([everything[d] == v for d, v in emerging.dims.items()])
    ].reset_index(drop=True)
    truth = _true_rates(in_pattern, days)
    only_this_effect = truth == effect.rate  # no other planted effect on these
    configurations = in_pattern[only_this_effect].reset_index(drop=True)
    assert len(configurations) >= 20
    with database.connect(regressed_70) as conn:
        (segments, failures) = conn.execute(
            "select sum(days.segment_count)::bigint, sum(days.failure_count)::bigint"
            " from intermediate.int_pattern_days_aggregated as days"
            " inner join marts.failure_patterns as patterns using (pattern_key)"
            " where pattern_key = %s and days.day >= patterns.started_on",
            (emerging.pattern_key,),
        ).fetchone()
    evidence = beta(failures + 0.5, segments - failures + 0.5)
    evidence_width = evidence.ppf(0.975) - evidence.ppf(0.025)
    predicted = _predicted(regressed_70, configurations)
    width = predicted["upper"] - predicted["lower"]
    inside = (predicted["lower"] <= effect.rate) & (effect.rate <= predicted["upper"])
    print(
        f"\n{emerging.pattern_key}: {failures}/{segments} since its rise "
        f"(Jeffreys width {evidence_width:.3f}); {len(configurations)} configurations: mean "
        f"prediction {predicted['predicted'].mean():.3f}, interval "
        f"{predicted['lower'].mean():.3f}-{predicted['upper'].mean():.3f} (mean), true "
        f"{effect.rate}, contained for {inside.mean():.0%}"
    )
    assert (width >= evidence_width).all(), (evidence_width, width.describe().to_dict())
    assert inside.mean() >= 0.9, predicted.to_dict("records")
