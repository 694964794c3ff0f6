"""Every dashboard page against a database built from the planted demo data (AppTest).

The demo data plants three patterns (failmap.demo.PLANTED.expected_patterns); the pages must
show them, drill down into a heatmap cell, and record a fix in app.pattern_fixes. An empty
database must get the "how to load data" state on every page, never an exception.
"""

from __future__ import annotations

import datetime as dt
import json

from lib.rates import rate_text
from lib.tables import pattern_label
from lib.text import md_escape
from streamlit.testing.v1 import AppTest

from failmap import database
from failmap.alerts.thresholds import SEVERITY_HIGH_FAILURE_RATE
from failmap.demo import PLANTED
from tests.streamlit_app.conftest import every_page, texts

HIGH_PATTERN = "lora=l07|character=c12|segment_position=6+"
# Severity follows the rate now: the emerging m02 + night (45 % on the last two days) is high
# besides the stationary l07 + c12 at 6+, so the tests that want one high pattern also filter
# on the active status.
HIGH_NOW = [
    p
    for p in PLANTED.expected_patterns
    if p.status != "resolved"
    and next(e for e in PLANTED.effects if e.name == p.caused_by).rate >= SEVERITY_HIGH_FAILURE_RATE
]


def _no_exception(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


def _table(app: AppTest, column: str):
    """The (first) table on the page with `column`: read-only tables have no AppTest key."""
    for element in app.dataframe:
        if column in element.value.columns:
            return element.value
    raise AssertionError(f"no table with a {column!r} column")


def _fix_rows(url: str) -> list[tuple]:
    with database.connect(url) as conn:
        return conn.execute(
            "select pattern_key, fix_description, fix_parameters, effectiveness, reported_by "
            "from app.pattern_fixes order by fix_id"
        ).fetchall()


@every_page
def test_every_page_renders_the_demo_data_without_exception(
    open_page, demo_url: str, page: str, title: str
) -> None:
    app = open_page(demo_url, page)
    _no_exception(app)
    assert app.title[0].value == title
    assert app.date_input(key="period").value  # the period filter is on every page


def test_overview_shows_the_period_kpis_and_the_planted_patterns(open_page, demo_url) -> None:
    app = open_page(demo_url)
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Segments"].replace(",", "").isdigit()
    assert int(metrics["Segments"].replace(",", "")) > 50_000
    # Resolved patterns no longer cost failures: the count is of the current ones.
    current = [p for p in PLANTED.expected_patterns if p.status != "resolved"]
    assert metrics["Patterns now"] == str(len(current))
    assert metrics["With a fix"] == f"0 of {len(current)}"
    regressions = [c for c in PLANTED.version_changes if c.verdict == "regression"]
    assert metrics["Regressions"] == str(len(regressions))
    top = app.dataframe[0].value
    assert set(top["severity"]) == {"high", "medium"}
    assert f"{len(HIGH_NOW)} high-severity patterns" in app.error[0].value
    # Each named with what it fails at now (its severity's rate), not its history's sentence.
    with database.connect(demo_url) as conn:
        high_now = conn.execute(
            "select pattern_key, current_failure_rate from marts.failure_patterns "
            "where severity = 'high' and status in ('emerging', 'active')"
        ).fetchall()
    assert len(high_now) == len(HIGH_NOW)
    for key, now in high_now:
        # The text as written (markdown-escaped: "6\\+", "52\\%").
        assert md_escape(f"{pattern_label(key)} fails {rate_text(now)} now (") in (
            app.error[0].value
        )
    assert " baseline over " not in app.error[0].value
    assert app.get("vega_lite_chart")  # excess failures by pattern


def test_patterns_page_filters_and_shows_the_selected_patterns_segments(
    open_page, demo_url
) -> None:
    app = open_page(demo_url, "app_pages/patterns.py")
    listed = app.dataframe(key="patterns_table").value
    # Current patterns by default: the resolved one is listed only on request.
    assert len(listed) == len([p for p in PLANTED.expected_patterns if p.status != "resolved"])
    app.pills(key="status").set_value(["active"])
    app.pills(key="severity").set_value(["high"]).run()
    _no_exception(app)
    listed = app.dataframe(key="patterns_table").value
    assert list(listed["pattern_key"]) == [HIGH_PATTERN]
    # The only row is shown in detail: its failing segments, each failing a check.
    occurrences = _table(app, "failure_reasons")
    assert len(occurrences) > 0
    assert all(len(checks) > 0 for checks in occurrences["failed_checks"])
    assert "LoRA l07 + Character c12 + Segment position 6+" in texts(app)


def test_patterns_page_minimum_support_hides_small_patterns(open_page, demo_url) -> None:
    app = open_page(demo_url, "app_pages/patterns.py")
    app.number_input(key="min_support").set_value(1000).run()
    listed = app.dataframe(key="patterns_table").value
    with database.connect(demo_url) as conn:
        (large,) = conn.execute(
            "select count(*) from marts.failure_patterns "
            "where total_count >= 1000 and status != 'resolved'"
        ).fetchone()
    assert len(listed) == large > 0
    assert (listed["total_count"] >= 1000).all()


def test_a_shorter_period_narrows_the_failing_segments(open_page, demo_url) -> None:
    app = open_page(demo_url, "app_pages/patterns.py")
    whole = app.dataframe(key="patterns_table").value.set_index("pattern_key")
    _, end = app.date_input(key="period").value
    last_week = (end - dt.timedelta(days=6), end)
    app.date_input(key="period").set_value(last_week).run()
    _no_exception(app)
    week = app.dataframe(key="patterns_table").value.set_index("pattern_key")
    key = "model=m03|scene_type=action"
    assert 0 < week.loc[key, "period_failure_count"] < whole.loc[key, "period_failure_count"]
    # Its failing segments show once its row is selected.
    app.session_state["patterns_table"] = {
        "selection": {"rows": [list(week.index).index(key)], "columns": []}
    }
    app.run()
    evaluated = _table(app, "failure_reasons")["evaluated_at"]
    assert evaluated.dt.date.min() >= last_week[0]


def test_heatmap_page_opens_with_the_two_default_maps(open_page, demo_url) -> None:
    app = open_page(demo_url, "app_pages/heatmaps.py")
    charts = app.get("vega_lite_chart")
    assert len(charts) == 2
    spec = json.loads(charts[0].proto.spec)
    assert spec["params"][0]["name"] == "cell"
    assert spec["params"][0]["select"]["fields"] == ["character", "scene_type"]
    assert spec["title"]["text"].startswith("Character c14")  # the planted character
    assert app.selectbox(key="map_1_x").value == "character"
    assert app.selectbox(key="map_1_y").value == "scene_type"
    assert app.selectbox(key="map_2_x").value == "lora"
    assert app.selectbox(key="map_2_y").value == "segment_position"


def test_clicking_a_heatmap_cell_lists_that_cells_failing_segments(open_page, demo_url) -> None:
    app = open_page(demo_url, "app_pages/heatmaps.py")
    # AppTest cannot click a chart: set the selection event the browser would send.
    app.session_state["heatmap_1"] = {
        "selection": {"cell": [{"character": "c12", "scene_type": "action"}]}
    }
    app.run()
    _no_exception(app)
    assert "Failing segments: Character c12 + action scenes" in texts(app)
    segments = _table(app, "character")
    assert len(segments) > 0
    assert set(segments["character"]) == {"c12"}
    assert set(segments["scene_type"]) == {"action"}
    assert all(len(checks) > 0 for checks in segments["failed_checks"])


def test_a_pattern_cell_links_to_its_fixes(open_page, demo_url) -> None:
    app = open_page(demo_url, "app_pages/heatmaps.py")
    app.selectbox(key="map_1_x").set_value("model").run()
    app.selectbox(key="map_1_y").set_value("scene_type").run()
    app.session_state["heatmap_1"] = {
        "selection": {"cell": [{"model": "m03", "scene_type": "action"}]}
    }
    app.run()
    _no_exception(app)
    assert "A surfaced pattern" in app.get("page_link")[0].proto.label


def test_fix_submission_writes_app_pattern_fixes_verbatim_and_lists_it(open_page, demo_url) -> None:
    app = open_page(demo_url, "app_pages/patterns.py")
    app.pills(key="status").set_value(["active"])
    app.pills(key="severity").set_value(["high"]).run()
    description = 'Lowered CFG to 6.5 <script>alert("x")</script> **not bold**'
    app.text_area(key="fix_description_0").input(description)
    app.text_input(key="fix_reporter").input("Ann")
    app.selectbox(key="fix_effectiveness_0").set_value("improved")
    app.text_area(key="fix_parameters_0").input('{"cfg_scale": 6.5}')
    app.button(key="fix_submit_0").click().run()
    _no_exception(app)
    assert _fix_rows(demo_url)[-1] == (
        HIGH_PATTERN,
        description,
        {"cfg_scale": 6.5},
        "improved",
        "Ann",
    )
    assert "recorded" in app.success[0].value
    listed = _table(app, "fix_description")
    assert listed["fix_description"].iloc[0] == description  # shown as text, not markup
    assert app.text_area(key="fix_description_1").value == ""  # a fresh form for the next fix
    assert app.text_input(key="fix_reporter").value == "Ann"


def test_invalid_fix_is_refused_with_every_reason_and_writes_nothing(open_page, demo_url) -> None:
    before = _fix_rows(demo_url)
    app = open_page(demo_url, "app_pages/patterns.py")
    app.pills(key="status").set_value(["active"])
    app.pills(key="severity").set_value(["high"]).run()  # one pattern listed: its form shows
    app.text_area(key="fix_description_0").input("   ")
    app.text_area(key="fix_parameters_0").input("{cfg: 6.5")
    app.button(key="fix_submit_0").click().run()
    _no_exception(app)
    message = app.error[0].value
    assert "What you changed: required" in message
    assert "Your name: required" in message
    assert "not valid JSON" in message
    assert _fix_rows(demo_url) == before


def test_check_page_has_the_configuration_form(open_page, demo_url) -> None:
    app = open_page(demo_url, "app_pages/check.py")
    _no_exception(app)
    assert app.selectbox(key="check_model").options  # values from the marts
    assert "c12" in app.selectbox(key="check_character").options


def test_data_quality_page_lists_the_loaded_files(open_page, demo_url) -> None:
    app = open_page(demo_url, "app_pages/data_quality.py")
    files = _table(app, "file_name")
    assert len(files) > 0
    assert set(files["status"]) == {"loaded"}
    assert "No Great Expectations results yet" in texts(app)


@every_page
def test_an_empty_database_tells_how_to_load_data_on_every_page(
    open_page, fresh_database_url: str, page: str, title: str
) -> None:
    app = open_page(fresh_database_url, page)
    _no_exception(app)
    assert "No data yet" in texts(app)
    assert "failmap refresh" in texts(app)
