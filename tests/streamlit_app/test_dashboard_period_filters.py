"""The sidebar's period narrows every number the pages show, to what the raw segments say.

The expected numbers come from SQL over `raw.quality_scores` (a segment fails when any of its
checks failed, it belongs to the UTC day of its last check), not from the marts the pages read;
the heatmap's shrunk rates are recomputed here with the empirical Bayes method of
macros/stats/empirical_bayes.sql. The quarantine summary is checked against the broken rows the
test database was given (tests/streamlit_app/dashboard_database.py).
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from failmap import database
from tests.streamlit_app.conftest import texts
from tests.streamlit_app.dashboard_database import BROKEN_ROW_RULES

# Segments from raw check rows, with the dimensions as the marts name them.
RAW_SEGMENTS = """
    create temporary view segments as
        select
            segment_id,
            max(evaluated_at) as evaluated_at,
            bool_or(not passed) as is_failed,
            max(workflow) as workflow,
            max(model) as model,
            max(coalesce(lora, 'none')) as lora,
            max(coalesce(character, 'none')) as character,
            max(scene_type) as scene_type,
            case
                when max(segment_position) >= 6 then '6+'
                when max(segment_position) >= 4 then '4-5'
                else '1-3'
            end as segment_position
        from raw.quality_scores
        group by segment_id
"""
DIMENSIONS = ("workflow", "model", "lora", "character", "scene_type", "segment_position")
# A pattern's failing segments in a period: every dimension it names matches (null = any).
RAW_PATTERN_FAILURES = """
    select count(*)
    from segments
    where is_failed
        and evaluated_at >= %(start_at)s and evaluated_at < %(end_at)s
        and (%(workflow)s::text is null or workflow = %(workflow)s)
        and (%(model)s::text is null or model = %(model)s)
        and (%(lora)s::text is null or lora = %(lora)s)
        and (%(character)s::text is null or character = %(character)s)
        and (%(scene_type)s::text is null or scene_type = %(scene_type)s)
        and (%(segment_position)s::text is null or segment_position = %(segment_position)s)
"""


def _no_exception(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


def _last_week(app: AppTest) -> tuple[dt.date, dt.date]:
    """The last seven days of the data (the period picker opens on the data's whole span)."""
    _, end = app.date_input(key="period").value
    return end - dt.timedelta(days=6), end


def _bounds(period: tuple[dt.date, dt.date]) -> dict[str, dt.datetime]:
    start, end = period
    return {
        "start_at": dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC),
        "end_at": dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
    }


def _raw_cells(url: str, period: tuple[dt.date, dt.date]) -> pd.DataFrame:
    """Segments and failed segments per character x scene type evaluated in the period."""
    with database.connect(url) as conn:
        conn.execute(RAW_SEGMENTS)
        rows = conn.execute(
            """
            select character, scene_type, count(*) as total_count,
                count(*) filter (where is_failed) as failure_count
            from segments
            where evaluated_at >= %(start_at)s and evaluated_at < %(end_at)s
            group by character, scene_type
            """,
            _bounds(period),
        ).fetchall()
    return pd.DataFrame(rows, columns=["character", "scene_type", "total_count", "failure_count"])


def _shrunk_rates(failures: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Beta-binomial empirical Bayes by the method of moments (see empirical_bayes.sql)."""
    pooled = failures.sum() / totals.sum()
    total = totals.sum()
    spread = (
        (failures**2 / totals).sum() - total * pooled**2 - (len(totals) - 1) * pooled * (1 - pooled)
    ) / (total - (totals**2).sum() / total)
    if spread <= 0:
        return np.full(len(totals), pooled)
    strength = max(0.0, pooled * (1 - pooled) / spread - 1)
    return (failures + strength * pooled) / (totals + strength)


def _map_cells(app: AppTest, number: int = 0) -> pd.DataFrame:
    """The cells a heatmap draws: the chart's dataset, as the browser gets it."""
    chart = app.get("vega_lite_chart")[number]
    assert len(chart.proto.datasets) == 1, json.loads(chart.proto.spec).keys()
    return convert_arrow_bytes_to_pandas_df(chart.proto.datasets[0].data.data)


def test_a_narrower_period_draws_the_heatmap_from_that_periods_segments(
    open_page, demo_url
) -> None:
    app = open_page(demo_url, "app_pages/heatmaps.py")
    whole = _map_cells(app)
    week = _last_week(app)
    app.date_input(key="period").set_value(week).run()
    _no_exception(app)
    drawn = _map_cells(app).set_index(["character", "scene_type"]).sort_index()
    raw = _raw_cells(demo_url, week).set_index(["character", "scene_type"]).sort_index()

    assert drawn["total_count"].sum() < whole["total_count"].sum()
    assert list(drawn.index) == list(raw.index)
    assert list(drawn["total_count"]) == list(raw["total_count"])
    assert list(drawn["failure_count"]) == list(raw["failure_count"])
    expected = _shrunk_rates(
        raw["failure_count"].to_numpy(float), raw["total_count"].to_numpy(float)
    )
    np.testing.assert_allclose(drawn["shrunk_failure_rate"], expected, rtol=1e-9)
    assert "Period:" in texts(app) and "Maps and failing segments cover the period" in texts(app)


def test_a_clicked_cell_counts_and_lists_only_the_periods_failing_segments(
    open_page, demo_url
) -> None:
    app = open_page(demo_url, "app_pages/heatmaps.py")
    week = _last_week(app)
    app.date_input(key="period").set_value(week).run()
    app.session_state["heatmap_1"] = {
        "selection": {"cell": [{"character": "c12", "scene_type": "action"}]}
    }
    app.run()
    _no_exception(app)
    raw = _raw_cells(demo_url, week).set_index(["character", "scene_type"]).loc[("c12", "action")]
    assert (
        f"In the period: {raw['failure_count']:,} of {raw['total_count']:,} segments failed"
        in texts(app)
    )
    listed = next(t.value for t in app.dataframe if "failed_checks" in t.value.columns)
    assert 0 < len(listed) == raw["failure_count"] < 500  # all of them, none from outside
    assert listed["evaluated_at"].dt.date.between(*week).all()


def test_a_narrower_period_counts_each_patterns_failures_in_that_period(
    open_page, demo_url
) -> None:
    app = open_page(demo_url)
    week = _last_week(app)
    app.date_input(key="period").set_value(week).run()
    _no_exception(app)
    shown = app.dataframe[0].value.set_index("pattern_key")["period_failure_count"]

    expected = {}
    with database.connect(demo_url) as conn:
        conn.execute(RAW_SEGMENTS)
        # A pattern only a recent window shows counts its failures from that window's first
        # day (its drill-down covers those days: docs/patterns.md, "Time").
        patterns = conn.execute(
            "select p.pattern_key, s.window_starts_on, p.dimension_workflow, "
            "p.dimension_model, p.dimension_lora, p.dimension_character, "
            "p.dimension_scene_type, p.dimension_segment_position "
            "from marts.failure_patterns as p "
            "left join intermediate.int_patterns_surfaced as s on s.pattern_key = p.pattern_key "
            "where p.status in ('emerging', 'active')"  # Overview lists the current patterns
        ).fetchall()
        for key, window_starts_on, *values in patterns:
            bounds = _bounds((max(week[0], window_starts_on or week[0]), week[1]))
            expected[key] = conn.execute(
                RAW_PATTERN_FAILURES, {**bounds, **dict(zip(DIMENSIONS, values, strict=True))}
            ).fetchone()[0]
    assert shown.to_dict() == expected
    assert all(count > 0 for count in expected.values())


def test_data_quality_page_summarizes_the_quarantine_by_rule(open_page, demo_url) -> None:
    app = open_page(demo_url, "app_pages/data_quality.py")
    _no_exception(app)
    # Read-only tables have no AppTest key: the table with a `rule` column.
    summary = next(t.value for t in app.dataframe if "rule" in t.value.columns)
    assert {
        (kind, rule): count
        for kind, rule, count in summary[["file_kind", "rule", "row_count"]].itertuples(index=False)
    } == BROKEN_ROW_RULES
    assert "Most rows broke **score is above the maximum 1** (3 quality_scores rows)" in texts(app)


def test_a_period_without_quarantined_rows_says_so(open_page, demo_url) -> None:
    app = open_page(demo_url, "app_pages/data_quality.py")
    start, _ = app.date_input(key="period").value
    app.date_input(key="period").set_value((start, start)).run()  # long before the delivery
    _no_exception(app)
    assert "No row was quarantined in this period." in texts(app)
    assert not [t for t in app.dataframe if "rule" in t.value.columns]


def test_a_period_over_two_years_names_both() -> None:
    from lib.filters import Period

    assert str(Period(dt.date(2026, 1, 2), dt.date(2026, 1, 2))) == "Jan 02, 2026"
    assert str(Period(dt.date(2026, 1, 2), dt.date(2026, 3, 1))) == "Jan 02 – Mar 01, 2026"
    # Not "Nov 01 – Dec 23, 2026" for a year and two months.
    assert str(Period(dt.date(2025, 11, 1), dt.date(2026, 12, 23))) == (
        "Nov 01, 2025 – Dec 23, 2026"
    )


def test_a_day_of_another_year_names_its_year() -> None:
    from lib.days import day_text

    today = dt.date(2026, 12, 7)
    assert day_text(dt.date(2026, 11, 8), today) == "Nov 08"
    assert day_text(pd.Timestamp("2025-11-08 10:00", tz="UTC"), today) == "Nov 08, 2025"
