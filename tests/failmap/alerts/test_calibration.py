"""Calibration: trained on all but the last week of demo data, the predictions for the last
week's configurations match what happened in it.

The marts hold days 0-55 (eight weekly files); the held-out ninth file (days 56-62) is read back
per segment and grouped into configurations (six dimensions, position as its bucket).

The demo data is not stationary on purpose: the training window holds a week of m02 1.5 (25 %),
twenty days of w02 2.0 (14 %) and thirty of l16 at 25 %, all gone by day 55, and m04 1.1 (20 %)
from day 50 on. The prediction describes the current rate (docs/alerts.md), so the tests
compute, from `PLANTED`, each configuration's planted rate on the last training day, day 55
(`trained_rate`), and in the last week (`planted_rate`: the emerging m02 + night effect of its
last two days is drift no model of days 0-55 can know), and separate the two questions:

1. Did it learn? In every predicted-rate bin with >= 100 held-out segments, the mean prediction
   is within max(1.5 points, 10 %) of the mean `trained_rate`. (Shrinkage pulls sparse
   configurations toward the background and pattern rates are measured, not planted: a few
   tenths of a point to a point or two.)
2. Does it match what happened? The observed rate of each such bin is within 3 binomial standard
   errors of the mean prediction shifted by the planted drift (mean `planted_rate` - mean
   `trained_rate`); segments fail independently given their rate in the demo data, so the
   binomial error is the right noise; 3 SE keeps a false alarm below ~1 % over the bins.
3. Intervals: for configurations with >= 5 held-out segments, the observed failures lie in the
   95 % posterior predictive interval (beta-binomial from the same posterior) for >= 90 %.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import betabinom

from failmap import database
from failmap.alerts import Predictor, load_snapshot
from failmap.demo import PLANTED
from tests.failmap.alerts.conftest import DIMENSIONS, DemoAlerts

BINS = [0.0, 0.07, 0.09, 0.12, 0.20, 0.35, 1.0]
MIN_BIN_SEGMENTS = 100
TRAINING_DAYS = range(56)
POSITION_OF_BUCKET = dict(
    zip(PLANTED.position_bucket_labels, PLANTED.position_bucket_lower_bounds, strict=True)
)


def _trained_rates(configurations: pd.DataFrame) -> np.ndarray:
    """Planted rate of each configuration on the last training day (its versions that day):
    the prediction describes the current rate (docs/alerts.md), not the training average."""
    frame = configurations[list(DIMENSIONS)].copy()
    frame["segment_position"] = frame["segment_position"].map(POSITION_OF_BUCKET)
    rates = []
    for day in TRAINING_DAYS[-1:]:
        frame["workflow_version"] = [PLANTED.version_on("workflow", w, day) for w in frame.workflow]
        frame["model_version"] = [PLANTED.version_on("model", m, day) for m in frame.model]
        rates.append(PLANTED.failure_rate(frame, day=day, days=len(TRAINING_DAYS) + 7))
    return np.mean(rates, axis=0)


@pytest.fixture(scope="module")
def predicted(demo_alerts: DemoAlerts) -> pd.DataFrame:
    """Held-out configurations with counts, planted, trained and predicted rates."""
    held_out = demo_alerts.held_out
    configurations = held_out.groupby(list(DIMENSIONS), as_index=False).agg(
        segments=("failed", "size"),
        failures=("failed", "sum"),
        planted_rate=("planted_rate", "mean"),
    )
    cells = [{d: row[d] for d in DIMENSIONS} for _, row in configurations.iterrows()]
    with database.connect(demo_alerts.url) as conn:
        predictor = Predictor(conn, load_snapshot(conn))
        predictions = predictor.predict(cells)
    configurations["predicted"] = [p.predicted_failure_rate for p in predictions]
    configurations["strength"] = [p.prior_strength + p.total_count for p in predictions]
    configurations["trained_rate"] = _trained_rates(configurations)
    return configurations


def test_binned_predictions_match_trained_and_observed_rates(predicted: pd.DataFrame) -> None:
    configurations = predicted.copy()
    configurations["bin"] = pd.cut(configurations["predicted"], BINS)
    for column in ("predicted", "planted_rate", "trained_rate"):
        configurations[f"{column}_sum"] = configurations[column] * configurations["segments"]
    configurations["configurations"] = 1
    sums = [
        "configurations", "segments", "failures",
        "predicted_sum", "planted_rate_sum", "trained_rate_sum",
    ]  # fmt: skip
    every_bin = configurations.groupby("bin", observed=True)[sums].sum()
    bins = every_bin[every_bin["segments"] >= MIN_BIN_SEGMENTS]
    # Base-rate and pattern-level bins populated. (Predicting the current rate leaves the 7-12 %
    # bins of the old version effects' blended rates nearly empty.)
    assert len(bins) >= 2, bins
    problems = []
    for interval, row in bins.iterrows():
        n = row["segments"]
        predicted, observed = row["predicted_sum"] / n, row["failures"] / n
        trained, planted = row["trained_rate_sum"] / n, row["planted_rate_sum"] / n
        if abs(predicted - trained) > max(0.015, 0.10 * trained):
            problems.append(f"{interval}: predicted {predicted:.3f} vs trained {trained:.3f}")
        expected = predicted + (planted - trained)
        if abs(observed - expected) > 3 * math.sqrt(expected * (1 - expected) / n):
            problems.append(
                f"{interval}: observed {observed:.3f} vs predicted {predicted:.3f} "
                f"shifted by drift {planted - trained:+.3f}"
            )
    # Every bin for docs/alerts.md; those under MIN_BIN_SEGMENTS are shown, not tested.
    table = every_bin.assign(
        predicted=every_bin.predicted_sum / every_bin.segments,
        observed=every_bin.failures / every_bin.segments,
        trained=every_bin.trained_rate_sum / every_bin.segments,
        planted=every_bin.planted_rate_sum / every_bin.segments,
        tested=every_bin.segments >= MIN_BIN_SEGMENTS,
    )[
        ["configurations", "segments", "failures", "predicted", "trained", "planted", "observed",
         "tested"]
    ]  # fmt: skip
    print("\n" + table.round(4).to_string())
    assert problems == [], "\n".join(problems) + "\n" + bins.to_string()


def test_observed_counts_fall_in_the_predictive_interval(predicted: pd.DataFrame) -> None:
    configurations = predicted
    enough = configurations[configurations["segments"] >= 5]
    assert len(enough) >= 100
    alpha = enough["predicted"] * enough["strength"]
    beta = (1 - enough["predicted"]) * enough["strength"]
    low = betabinom.ppf(0.025, enough["segments"], alpha, beta)
    high = betabinom.ppf(0.975, enough["segments"], alpha, beta)
    inside = (enough["failures"] >= low) & (enough["failures"] <= high)
    print(f"\ncoverage {inside.mean():.3f} of {len(enough)} configurations")
    assert inside.mean() >= 0.90, f"{inside.mean():.1%} of {len(enough)} inside"


def test_predictions_beat_the_overall_rate(predicted: pd.DataFrame) -> None:
    """A model that cannot beat 'every configuration fails at the overall rate' is no model."""
    configurations = predicted
    n, x = configurations["segments"], configurations["failures"]
    overall = x.sum() / n.sum()

    def log_loss(p: pd.Series | float) -> float:
        p = np.clip(p, 1e-6, 1 - 1e-6)
        return float(-(x * np.log(p) + (n - x) * np.log(1 - p)).sum() / n.sum())

    print(f"\nlog loss: model {log_loss(configurations['predicted']):.4f}, "
          f"overall {log_loss(overall):.4f}, "
          f"planted {log_loss(configurations['planted_rate']):.4f}")  # fmt: skip
    assert log_loss(configurations["predicted"]) < log_loss(overall) - 0.005
