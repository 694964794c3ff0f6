"""The trend chart names the version changes that mattered, and stays readable when many did not."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from lib import charts

DAYS = pd.date_range("2026-07-04", periods=40, freq="D", tz="UTC")
SERIES = pd.DataFrame(
    {
        "day": DAYS,
        "failure_rate": 0.3,
        "baseline_rate": 0.3,
        "total_count": 100,
        "failure_count": 30,
        "regression_flag": False,
        "improvement_flag": False,
    }
)


def _changes(verdicts: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "changed_at": [DAYS[0] + dt.timedelta(days=i) for i in range(len(verdicts))],
            "label": [f"Model m1 v{i}→v{i + 1}" for i in range(len(verdicts))],
            "verdict": verdicts,
            "rate_before": 0.3,
            "rate_after": 0.3,
        }
    )


def _spec(changes: pd.DataFrame) -> dict:
    return charts.trend(SERIES, changes, title="t").to_dict()


def _named(spec: dict) -> list[dict]:
    return [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]


def test_a_few_decisive_changes_are_named_and_the_rest_only_ruled() -> None:
    spec = _spec(_changes(["regression", "no_change", "improvement", "insufficient_data"]))
    assert [layer["mark"]["type"] for layer in spec["layer"]].count("rule") == 1
    (named,) = _named(spec)
    assert named["mark"]["limit"] == charts.LABEL_PIXELS
    labels = {
        row["label"] for rows in spec["datasets"].values() for row in rows if "label_y" in row
    }
    assert labels == {"Model m1 v0→v1", "Model m1 v2→v3"}


def test_many_decisive_changes_are_ruled_without_names() -> None:
    spec = _spec(_changes(["regression", "improvement"] * 10))
    assert not _named(spec)
    assert any(layer["mark"]["type"] == "rule" for layer in spec["layer"])
