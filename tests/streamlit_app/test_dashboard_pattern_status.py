"""Pattern status, refinements and top reasons on Overview and Patterns (issues 12 and 13).

The demo data plants a resolved pattern (LoRA l16, back at base since day 30) and an emerging
one (model m02 + night scenes, its last two days): current lists and counts leave the resolved
one out, the Patterns page shows it on request with its status and since, and every pattern
shows its top failure reasons and failing checks with their shares and a daily sparkline.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import streamlit as st
from lib.rates import rate_text
from streamlit.testing.v1 import AppTest

from failmap import database
from failmap.demo import PLANTED
from tests.streamlit_app.conftest import texts
from tests.streamlit_app.dashboard_database import measure_fix

RESOLVED = "lora=l16"
EMERGING = "model=m02|scene_type=night"
PARENT = "model=m03|scene_type=action"
CHILD = "model=m03|scene_type=action|segment_position=6+"
# Text columns the pattern tables show (a frame also carries columns it does not show).
SHOWN_TEXT_COLUMNS = {"status_label", "label", "reasons", "reason", "check", "severity"}


def _no_exception(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


def _statuses(url: str) -> dict[str, str]:
    with database.connect(url) as conn:
        return dict(conn.execute("select pattern_key, status from marts.failure_patterns"))


def _select(app: AppTest, table: str, key: str) -> None:
    listed = app.dataframe(key=table).value
    app.session_state[table] = {
        "selection": {"rows": [list(listed["pattern_key"]).index(key)], "columns": []}
    }
    app.run()
    _no_exception(app)


def _table(app: AppTest, column: str):
    """The (first) table with `column`: read-only tables have no AppTest key."""
    for element in app.dataframe:
        if column in element.value.columns:
            return element.value
    raise AssertionError(f"no table with a {column!r} column")


def _no_none(app: AppTest) -> None:
    """No 'None' / 'nan' written for creators: in any text, table cell or metric."""
    assert "None" not in texts(app)
    for element in app.dataframe:
        for column in SHOWN_TEXT_COLUMNS & set(element.value.columns):
            cells = element.value[column].map(str)
            assert not cells.isin(["None", "nan", "NaT", ""]).any(), column
            assert not cells.str.contains("None").any(), column
    assert all(str(metric.value) not in ("None", "nan") for metric in app.metric)


def test_the_planted_statuses_reach_the_mart(demo_url: str) -> None:
    statuses = _statuses(demo_url)
    planted = {
        "|".join(f"{d}={v}" for d, v in p.dims.items()): p.status for p in PLANTED.expected_patterns
    }
    assert statuses[RESOLVED] == planted[RESOLVED] == "resolved"
    assert statuses[EMERGING] == planted[EMERGING] == "emerging"


def test_overview_counts_current_patterns_and_this_weeks_changes(open_page, demo_url) -> None:
    statuses = _statuses(demo_url)
    app = open_page(demo_url)
    _no_exception(app)
    metrics = {metric.label: metric.value for metric in app.metric}
    current = [key for key, status in statuses.items() if status in ("emerging", "active")]
    assert metrics["Patterns now"] == str(len(current))
    # The emerging pattern started in the data's last week; l16 resolved a month before it.
    assert int(metrics["New this week"]) >= 1
    assert metrics["Resolved this week"] == "0"
    top = app.dataframe[0].value
    assert RESOLVED not in set(top["pattern_key"])
    assert EMERGING in set(top["pattern_key"])
    emerging = top.set_index("pattern_key").loc[EMERGING, "status_label"]
    assert emerging.startswith("Emerging since ")
    assert "Model m02 + Scene type night (Emerging since" in texts(app)
    _no_none(app)


def test_patterns_page_lists_current_patterns_and_resolved_ones_on_request(
    open_page, demo_url
) -> None:
    app = open_page(demo_url, "app_pages/patterns.py")
    assert app.pills(key="status").value == ["emerging", "active"]
    listed = app.dataframe(key="patterns_table").value
    assert RESOLVED not in set(listed["pattern_key"])
    assert all(label.startswith(("Emerging", "Active")) for label in listed["status_label"])
    assert (listed["reasons"] != "–").all()  # every pattern has failure reasons
    _no_none(app)

    listed = _listed_with_status(app, "resolved")
    assert list(listed["pattern_key"]) == [RESOLVED]
    assert listed["status_label"].iloc[0].startswith("Resolved since ")
    # The only row is shown in detail: its badge, and no fix is credited in the demo data.
    assert "Resolved since" in texts(app)
    assert "Resolved with no recorded fix credited" in texts(app)
    _no_none(app)


def _listed_with_status(app, status: str):
    """The Patterns page's table with only `status` chosen, over all the data."""
    app.pills(key="status").set_value([status]).run()
    app.toggle(key="only_period").set_value(False).run()
    _no_exception(app)
    return app.dataframe(key="patterns_table").value


def test_an_inactive_pattern_is_not_current_and_says_since_when(open_page, demo_url) -> None:
    # A pattern whose segments stopped (a retired character): a copy of m03 + action's row.
    retired = "scene_type=retired"
    since = dt.date(dt.datetime.now(dt.UTC).year, 1, 28)  # shown as "Jan 28" this year
    with database.connect(demo_url) as conn:
        conn.execute(
            "create temporary table retired as select * from marts.failure_patterns "
            "where pattern_key = %s",
            [PARENT],
        )
        conn.execute(
            "update retired set pattern_key = %s, dimension_model = null, "
            "dimension_scene_type = 'retired', description = 'retired scenes fail', "
            "status = 'inactive', status_since = %s, severity = 'high', "
            "impact_rank = (select max(impact_rank) + 1 from marts.failure_patterns)",
            [retired, since],
        )
        conn.execute("insert into marts.failure_patterns select * from retired")
    try:
        app = open_page(demo_url)
        _no_exception(app)
        assert retired not in set(app.dataframe[0].value["pattern_key"])
        assert "1 inactive pattern left out" in texts(app)
        assert "retired scenes fail" not in texts(app)  # not among the high ones now

        app = open_page(demo_url, "app_pages/patterns.py")
        assert retired not in set(app.dataframe(key="patterns_table").value["pattern_key"])
        listed = _listed_with_status(app, "inactive")
        assert list(listed["pattern_key"]) == [retired]
        assert listed["status_label"].iloc[0].startswith("Inactive since Jan 28")
        # The only row is shown in detail: its badge says what inactive means.
        assert "Inactive since Jan 28: no segments since" in texts(app)
        _no_none(app)
    finally:
        with database.connect(demo_url) as conn:
            conn.execute("delete from marts.failure_patterns where pattern_key = %s", [retired])


def test_a_pattern_back_after_a_fall_is_not_new(open_page, demo_url) -> None:
    # The emerging pattern, as if it had fallen on Jan 28 and come back (failure_patterns'
    # returned_after; the dbt test test_a_pattern_back_after_its_fix_... builds such a case).
    fell = dt.date(dt.datetime.now(dt.UTC).year, 1, 28)  # shown as "Jan 28" this year
    before = {metric.label: metric.value for metric in open_page(demo_url).metric}
    st.cache_data.clear()  # the page above cached the marts it read
    with database.connect(demo_url) as conn:
        conn.execute(
            "update marts.failure_patterns set returned_after = %s where pattern_key = %s",
            [fell, EMERGING],
        )
    try:
        app = open_page(demo_url)
        _no_exception(app)
        metrics = {metric.label: metric.value for metric in app.metric}
        assert int(metrics["New this week"]) == int(before["New this week"]) - 1
        assert "Back this week:" in texts(app)
        # When it fell, beside when it came back.
        assert "Model m02 + Scene type night (Emerging since" in texts(app)
        assert ": back after its fall on Jan 28)" in texts(app)
        assert "Model m02 + Scene type night (Emerging since" in texts(app)
        label = app.dataframe[0].value.set_index("pattern_key").loc[EMERGING, "status_label"]
        assert label.startswith("Emerging since ") and label.endswith(" (back)")

        app = open_page(demo_url, "app_pages/patterns.py")
        listed = _listed_with_status(app, "emerging")
        assert listed.set_index("pattern_key").loc[EMERGING, "status_label"].endswith("(back)")
        assert ": back after its fall on Jan 28" in texts(app)
        _no_none(app)
    finally:
        with database.connect(demo_url) as conn:
            conn.execute(
                "update marts.failure_patterns set returned_after = null where pattern_key = %s",
                [EMERGING],
            )


def test_a_pattern_shows_its_reasons_checks_and_daily_rate(open_page, demo_url) -> None:
    app = open_page(demo_url, "app_pages/patterns.py")
    _select(app, "patterns_table", PARENT)
    assert "Active since" in texts(app) or "Emerging since" in texts(app)
    reasons = _table(app, "reason")
    checks = _table(app, "check")
    with database.connect(demo_url) as conn:
        stored_reasons, stored_checks = conn.execute(
            "select top_failure_reasons, top_failing_checks from marts.failure_patterns "
            "where pattern_key = %s",
            [PARENT],
        ).fetchone()
    assert list(reasons["reason"]) == [item["value"] for item in stored_reasons]
    assert list(reasons["share_percent"]) == [item["share"] * 100 for item in stored_reasons]
    assert list(checks["check"]) == [item["value"] for item in stored_checks]
    # Its rate now (what severity follows) beside the list's whole-history rate.
    assert re.search(r"Fails \d+% now \([\d,]+ segments since its latest change\)", texts(app))
    spark = [
        json.loads(chart.proto.spec)
        for chart in app.get("vega_lite_chart")
        if "This pattern" in chart.proto.spec
    ]
    assert spark, "the pattern's daily sparkline"
    _no_none(app)


def _rates(url: str) -> dict[str, tuple[float, float]]:
    """pattern_key -> (failure_rate over all data, current_failure_rate)."""
    with database.connect(url) as conn:
        rows = conn.execute(
            "select pattern_key, failure_rate, current_failure_rate from marts.failure_patterns"
        )
        return {key: (whole, now) for key, whole, now in rows}


def test_pattern_tables_show_what_a_pattern_fails_at_now(open_page, demo_url) -> None:
    # The planted emerging pattern failed at base rate until its last two days and the resolved
    # one failed at 25% until day 30: over all data both read nothing like what they fail at now.
    rates = _rates(demo_url)
    for key in (EMERGING, RESOLVED):
        whole, now = rates[key]
        assert abs(now - whole) > 0.03, (key, whole, now)

    overview = open_page(demo_url)
    _no_exception(overview)
    top = _table(overview, "now_percent").set_index("pattern_key")
    assert top.loc[EMERGING, "now_percent"] == rates[EMERGING][1] * 100
    assert "failure_percent" not in top.columns

    app = open_page(demo_url, "app_pages/patterns.py")
    listed = app.dataframe(key="patterns_table").value.set_index("pattern_key")
    assert listed.loc[EMERGING, "now_percent"] == rates[EMERGING][1] * 100
    listed = _listed_with_status(app, "resolved")
    assert listed.set_index("pattern_key").loc[RESOLVED, "now_percent"] == (
        rates[RESOLVED][1] * 100
    )
    _select(app, "patterns_table", RESOLVED)
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Now"] == rate_text(rates[RESOLVED][1])
    assert metrics["Over all data"] == rate_text(rates[RESOLVED][0])
    assert metrics["Now"] != metrics["Over all data"]
    _no_none(app)

    # The emerging pattern is found in a recent window only: its rate is that window's.
    app = open_page(demo_url, "app_pages/patterns.py")
    _select(app, "patterns_table", EMERGING)
    metrics = {metric.label: metric.value for metric in app.metric}
    assert "Over all data" not in metrics
    assert metrics["Over its window"] == rate_text(rates[EMERGING][0])


def test_a_resolved_pattern_names_the_fix_it_is_credited_to(open_page, demo_url) -> None:
    with database.connect(demo_url) as conn:
        fix_id = conn.execute(
            "insert into app.pattern_fixes (pattern_key, fix_description, reported_by) "
            "values (%s, 'Retrained LoRA l16', 'Ann') returning fix_id",
            [RESOLVED],
        ).fetchone()[0]
    # What the next refresh's fix_effectiveness says of it (int_pattern_resolutions).
    measure_fix(demo_url, fix_id, RESOLVED, credited=True)
    app = open_page(demo_url, "app_pages/patterns.py")
    app.pills(key="status").set_value(["resolved"]).run()
    app.toggle(key="only_period").set_value(False).run()
    _no_exception(app)
    assert f"credited to fix #{fix_id}: Retrained LoRA l16" in texts(app)
    assert "account for the fall" not in texts(app)


def test_a_credited_fix_names_the_improvements_that_account_for_the_fall(
    open_page, demo_url
) -> None:
    improvement = "model=m01|3.1->3.2|2026-01-28"
    with database.connect(demo_url) as conn:
        fix_id = conn.execute(
            "insert into app.pattern_fixes (pattern_key, fix_description, reported_by) "
            "values (%s, 'Retrained LoRA l16', 'Ann') returning fix_id",
            [RESOLVED],
        ).fetchone()[0]
    measure_fix(
        demo_url,
        fix_id,
        RESOLVED,
        credited=True,
        explained_by=f"{improvement}; workflow=w01|1->2|2026-01-20",
        seconds_from_now=1,
    )
    app = open_page(demo_url, "app_pages/patterns.py")
    app.pills(key="status").set_value(["resolved"]).run()
    app.toggle(key="only_period").set_value(False).run()
    _no_exception(app)
    warning = next(w.value for w in app.warning if "account for the fall" in w.value)
    shown = warning.replace("\\", "")  # the markdown escapes of the change key
    assert improvement in shown and "workflow=w01|1->2|2026-01-20" in shown


def test_refinements_are_listed_under_their_parent(open_page, demo_url) -> None:
    # A refinement of the m03 + action pattern (the demo data plants none): a copy of its row.
    with database.connect(demo_url) as conn:
        conn.execute(
            "create temporary table child as select * from marts.failure_patterns "
            "where pattern_key = %s",
            [PARENT],
        )
        conn.execute(
            "update child set pattern_key = %s, parent_pattern_key = %s, "
            "description = 'm03 action scenes fail late', status = 'emerging', "
            "impact_rank = (select max(impact_rank) + 1 from marts.failure_patterns)",
            [CHILD, PARENT],
        )
        conn.execute("insert into marts.failure_patterns select * from child")
    app = open_page(demo_url, "app_pages/patterns.py")
    app.toggle(key="only_period").set_value(False).run()  # the copy has no daily failures
    listed = app.dataframe(key="patterns_table").value
    assert CHILD not in set(listed["pattern_key"])  # listed under its parent, not at top level
    assert listed.set_index("pattern_key").loc[PARENT, "refinement_count"] == 1
    _select(app, "patterns_table", PARENT)
    refinements = app.dataframe(key="refinements_table").value
    assert list(refinements["pattern_key"]) == [CHILD]
    _select(app, "refinements_table", CHILD)
    assert "Model m03 + Scene type action + Segment position 6+" in texts(app)
    assert "m03 action scenes fail late" in texts(app)


def test_each_fix_shows_what_the_data_measured_of_it(open_page, demo_url) -> None:
    with database.connect(demo_url) as conn:
        measured, unmeasured = (
            conn.execute(
                "insert into app.pattern_fixes (pattern_key, fix_description, reported_by, "
                "created_at) values (%s, %s, 'Ann', now() - interval '1 hour') returning fix_id",
                [RESOLVED, description],
            ).fetchone()[0]
            for description in ("Lower LoRA weight", "Another try")
        )
    # What a refresh measures of the first (the second was recorded since the last one).
    measure_fix(
        demo_url,
        measured,
        RESOLVED,
        before=(257, 1000),
        after=(80, 900),
        explained_by="workflow=w02|2.0->2.1|2026-01-21",
        seconds_from_now=-3600,
    )
    app = open_page(demo_url, "app_pages/patterns.py")
    app.pills(key="status").set_value(["resolved"]).run()
    app.toggle(key="only_period").set_value(False).run()
    _no_exception(app)
    fixes = _table(app, "measured").set_index("fix_id")["measured"]
    assert fixes[measured] == "Verified: 26% → 9%"
    assert fixes[unmeasured] == "Not measured yet"
    # The measured fix in full: its verdict, and the version change that accounts for the fall.
    table = f"fixes_{RESOLVED}"
    row = list(app.dataframe(key=table).value["fix_id"]).index(measured)
    app.session_state[table] = {"selection": {"rows": [row], "columns": []}}
    app.run()
    _no_exception(app)
    assert "Measured: Verified: 26% → 9%." in texts(app)
    warning = next(w.value for w in app.warning if "is accounted for by" in w.value)
    assert "workflow=w02|2.0->2.1|2026-01-21" in warning.replace("\\", "")


def test_a_fix_not_verified_names_the_regression_that_may_hide_it(open_page, demo_url) -> None:
    with database.connect(demo_url) as conn:
        (fix_id,) = conn.execute(
            "insert into app.pattern_fixes (pattern_key, fix_description, reported_by, "
            "created_at) values (%s, 'Lower <b>LoRA</b> weight', 'Ann', now() - interval '1 hour') "
            "returning fix_id",
            [RESOLVED],
        ).fetchone()
    measure_fix(
        demo_url,
        fix_id,
        RESOLVED,
        before=(220, 1000),
        after=(200, 1000),
        verdict="ineffective",
        masked_by="model=m01|3.2->3.1|2026-01-20",
        seconds_from_now=-3600,
    )
    app = open_page(demo_url, "app_pages/patterns.py")
    app.pills(key="status").set_value(["resolved"]).run()
    app.toggle(key="only_period").set_value(False).run()
    _no_exception(app)
    assert _table(app, "measured").set_index("fix_id")["measured"][fix_id] == "No drop: 22% → 20%"
    table = f"fixes_{RESOLVED}"
    row = list(app.dataframe(key=table).value["fix_id"]).index(fix_id)
    app.session_state[table] = {"selection": {"rows": [row], "columns": []}}
    app.run()
    _no_exception(app)
    warning = next(w.value for w in app.warning if "may hide what it did" in w.value)
    assert "model=m01|3.2->3.1|2026-01-20" in warning.replace("\\", "")
    assert not [w for w in app.warning if "is accounted for by" in w.value]
