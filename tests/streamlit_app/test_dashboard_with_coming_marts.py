"""Pages that show work landing concurrently: trends, the configuration check, GX results.

Until trend tracking, the alerts core and the Great Expectations checks are part of failmap,
these tests give the pages stand-ins with the documented shapes (ARCHITECTURE.md, issue 5, GX's
validation result JSON) so their rendering is tested now. Once the real ones exist the stand-ins
are not installed and the same assertions run against the real thing.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import sys
import types
from pathlib import Path

import pytest

from failmap import database
from tests.streamlit_app.conftest import texts

STAND_IN_TRENDS = Path(__file__).with_name("stand_in_trend_marts.sql")


@pytest.fixture(scope="module")
def trends_url(demo_url: str) -> str:
    """The demo database with trend marts: the real ones, or stand-ins with their columns."""
    with database.connect(demo_url) as conn:
        exists = conn.execute("select to_regclass('marts.daily_failure_trends')").fetchone()[0]
        if exists is None:
            conn.execute(STAND_IN_TRENDS.read_text())
    return demo_url


def test_trends_page_draws_the_overall_series_with_version_changes(open_page, trends_url) -> None:
    app = open_page(trends_url, "app_pages/trends.py")
    assert not app.exception, [e.value for e in app.exception]
    spec = json.loads(app.get("vega_lite_chart")[0].proto.spec)
    assert spec["title"]["text"].startswith("All segments")
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert "rule" in marks  # version changes drawn
    verdicts = app.dataframe[0].value["verdict"]
    assert "Regression" in set(verdicts)


def test_trends_page_follows_one_model(open_page, trends_url) -> None:
    app = open_page(trends_url, "app_pages/trends.py")
    app.selectbox(key="trend_dimension").set_value("model").run()
    app.selectbox(key="trend_value_model").set_value("m02").run()
    assert not app.exception, [e.value for e in app.exception]
    spec = json.loads(app.get("vega_lite_chart")[0].proto.spec)
    assert spec["title"]["text"].startswith("Model m02")


@dataclasses.dataclass
class _StandInResult:
    severity: str
    predicted_failure_rate: float
    predicted_failure_rate_lower: float
    predicted_failure_rate_upper: float
    matched_patterns: list[dict]
    alternatives: list[dict]


def _stand_in_check(
    workflow, model, lora, character, scene_type, segment_position=None, segments=None
) -> _StandInResult:
    planted = lora == "l07" and character == "c12" and segment_position == "6+"
    return _StandInResult(
        severity="high" if planted else "none",
        predicted_failure_rate=0.5 if planted else 0.08,
        predicted_failure_rate_lower=0.4 if planted else 0.07,
        predicted_failure_rate_upper=0.6 if planted else 0.09,
        matched_patterns=[
            {
                "pattern_key": "lora=l07|character=c12|segment_position=6+",
                "description": "LoRA l07 + character c12 fails at segment 6+",
                "fixes": [],
            }
        ]
        if planted
        else [],
        alternatives=[{"dimension": "lora", "value": "l12", "failure_rate": 0.07}]
        if planted
        else [],
    )


@pytest.fixture
def alerts_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """failmap.alerts as it is, or a stand-in with issue 5's result shape."""
    try:
        importlib.import_module("failmap.alerts")
    except ModuleNotFoundError:
        module = types.ModuleType("failmap.alerts")
        module.check_configuration = _stand_in_check
        monkeypatch.setitem(sys.modules, "failmap.alerts", module)


def test_checking_the_planted_configuration_warns_high_without_blocking(
    open_page, demo_url, alerts_core
) -> None:
    app = open_page(demo_url, "app_pages/check.py")
    for key, value in (
        ("check_workflow", "w01"),
        ("check_model", "m01"),
        ("check_lora", "l07"),
        ("check_character", "c12"),
        ("check_scene_type", "dialogue"),
        ("check_segment_position", "6+"),
    ):
        app.selectbox(key=key).set_value(value)
    app.button(key="check_submit").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert "High risk" in app.error[0].value
    assert "not a block" in app.error[0].value
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Matching patterns"] != "0"
    assert "Predicted failure rate" in metrics


def test_data_quality_page_shows_the_latest_gx_results(open_page, demo_url, tmp_path) -> None:
    validations = tmp_path / "validations" / "raw.quality_scores" / "run" / "2026"
    validations.mkdir(parents=True)
    failing = {
        "success": False,
        "suite_name": "raw.quality_scores",
        "statistics": {"evaluated_expectations": 5, "unsuccessful_expectations": 1},
        "meta": {"validation_time": "2026-11-20T10:00:00+00:00"},
        "results": [
            {
                "success": False,
                "expectation_config": {
                    "type": "expect_column_values_to_be_between",
                    "kwargs": {"column": "score"},
                },
                "result": {"unexpected_count": 3, "partial_unexpected_list": [1.5, 2.0, 7.0]},
            }
        ],
    }
    (validations / "a.json").write_text(json.dumps(failing))
    passing = {**failing, "success": True, "results": [], "suite_name": "raw.runs"}
    (validations / "b.json").write_text(json.dumps(passing))
    app = open_page(demo_url, "app_pages/data_quality.py")
    assert not app.exception, [e.value for e in app.exception]
    assert "1 of 2 suites failed" in texts(app)
    failures = next(t.value for t in app.dataframe if "expectation" in t.value.columns)
    assert list(failures["unexpected_count"]) == [3]
