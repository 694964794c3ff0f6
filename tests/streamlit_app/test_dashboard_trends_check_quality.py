"""Trends, the configuration check, errors and Great Expectations results on the planted demo data.

The demo plants a model regression (m02 1.4 -> 1.5, rolled back a week later) and a bad
configuration (LoRA l07 + character c12 at segment 6+); the pages must show both as findings.
"""

from __future__ import annotations

import json

from failmap import database
from failmap.demo import PLANTED
from tests.streamlit_app.conftest import texts
from tests.streamlit_app.dashboard_database import measure_fix

REGRESSION = next(change for change in PLANTED.version_changes if change.verdict == "regression")
# The overall chart's title names the latest regression in the demo data's days.
LATEST_REGRESSION = max(
    (
        change
        for change in PLANTED.version_changes
        if change.verdict == "regression" and change.day < PLANTED.default_days
    ),
    key=lambda change: change.day,
)


def _no_exception(app) -> None:
    assert not app.exception, [e.value for e in app.exception]


def test_trends_title_states_the_planted_regression(open_page, demo_url) -> None:
    app = open_page(demo_url, "app_pages/trends.py")
    _no_exception(app)
    spec = json.loads(app.get("vega_lite_chart")[0].proto.spec)
    title = spec["title"]["text"]
    latest = LATEST_REGRESSION
    assert title.startswith(
        f"All segments: {latest.dimension.capitalize()} {latest.value} "
        f"{latest.from_version}→{latest.to_version} on"
    )
    assert "regressed" in title
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert "rule" in marks  # version changes drawn
    changes = next(t.value for t in app.dataframe if "verdict" in t.value.columns)
    assert "Regression" in set(changes["verdict"])
    # Each verdict says how much of its segments it could compare within the other kind.
    assert changes["compared_share"].between(0, 1).all()
    assert changes["rate_ratio"].str.fullmatch(r"\d+\.\d\d×|–").all()


def test_trends_page_follows_one_model(open_page, demo_url) -> None:
    app = open_page(demo_url, "app_pages/trends.py")
    app.selectbox(key="trend_dimension").set_value(REGRESSION.dimension).run()
    app.selectbox(key=f"trend_value_{REGRESSION.dimension}").set_value(REGRESSION.value).run()
    _no_exception(app)
    spec = json.loads(app.get("vega_lite_chart")[0].proto.spec)
    assert spec["title"]["text"].startswith(f"Model {REGRESSION.value}:")


def test_checking_the_planted_configuration_warns_high_without_blocking(
    open_page, demo_url
) -> None:
    app = open_page(demo_url, "app_pages/check.py")
    for key, value in (
        ("check_workflow", "w01"),
        ("check_model", "m01"),
        ("check_lora", "l07"),
        ("check_character", "c12"),
        ("check_scene_type", "dialogue"),
    ):
        app.selectbox(key=key).set_value(value)
    app.number_input(key="check_segment_position").set_value(7)  # a number, as the CLI takes
    app.button(key="check_submit").click().run()
    _no_exception(app)
    assert "High risk" in app.error[0].value
    assert "not a block" in app.error[0].value
    assert "LoRA l07 + character c12 fails at segment 6+" in texts(app)
    with database.connect(demo_url) as conn:
        logged = conn.execute("select severity, source from app.alert_log").fetchall()
    assert ("high", "dashboard") in logged


def test_errors_page_leads_with_what_to_fix_first(open_page, demo_url) -> None:
    app = open_page(demo_url, "app_pages/errors.py")
    _no_exception(app)
    assert "What to fix first" in texts(app)
    metrics = {metric.label: metric.value for metric in app.metric}
    assert int(metrics["Failed runs"].replace(",", "")) > 0
    titles = [json.loads(chart.proto.spec)["title"]["text"] for chart in app.get("vega_lite_chart")]
    assert any("errors are the most common" in title for title in titles)
    assert any("fails most" in title for title in titles)


def test_data_quality_page_shows_the_latest_gx_results(open_page, demo_url, tmp_path) -> None:
    validations = tmp_path / "validations" / "raw" / "quality_scores" / "__none__"
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
                    "description": "Scores are in [0, 1].",
                },
                "result": {"unexpected_count": 3, "partial_unexpected_list": [1.5, 2.0, 7.0]},
            }
        ],
    }
    older = {**failing, "success": True, "results": [], "meta": {"validation_time": "2026-11-01"}}
    for run, result in (("20261120T100000Z", failing), ("20261101T100000Z", older)):
        (validations / run).mkdir(parents=True)
        (validations / run / "result.json").write_text(json.dumps(result))
    passing = {**failing, "success": True, "results": [], "suite_name": "raw.runs"}
    (tmp_path / "validations" / "runs.json").write_text(json.dumps(passing))
    app = open_page(demo_url, "app_pages/data_quality.py")
    _no_exception(app)
    assert "1 of 2 suites failed their latest run" in texts(app)
    failures = next(t.value for t in app.dataframe if "expectation" in t.value.columns)
    assert list(failures["unexpected_count"]) == [3]
    assert list(failures["description"]) == ["Scores are in [0, 1]."]


def test_a_checks_known_fixes_show_what_the_data_measured(open_page, demo_url) -> None:
    key = "lora=l07|character=c12|segment_position=6+"
    with database.connect(demo_url) as conn:
        measured, unmeasured = (
            conn.execute(
                "insert into app.pattern_fixes (pattern_key, fix_description, reported_by) "
                "values (%s, %s, 'ana') returning fix_id",
                [key, description],
            ).fetchone()[0]
            for description in ("Use l12 from segment 6", "Shorter scenes")
        )
    measure_fix(demo_url, measured, key, before=(52, 100), after=(6, 100))
    app = open_page(demo_url, "app_pages/check.py")
    for name, value in (
        ("check_workflow", "w01"),
        ("check_model", "m01"),
        ("check_lora", "l07"),
        ("check_character", "c12"),
        ("check_scene_type", "dialogue"),
    ):
        app.selectbox(key=name).set_value(value)
    app.number_input(key="check_segment_position").set_value(7)
    app.button(key="check_submit").click().run()
    _no_exception(app)
    fixes = next(t.value for t in app.dataframe if "measured" in t.value.columns)
    shown = dict(zip(fixes["fix_id"], fixes["measured"], strict=True))
    assert shown == {measured: "Verified: 52% → 6%", unmeasured: "Not measured yet"}
