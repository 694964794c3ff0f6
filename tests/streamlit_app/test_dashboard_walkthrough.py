"""What a newcomer's walk-through found confusing (issue 15), checked on the planted demo data.

One number for one thing, labels written for a creator, tables narrowed by what is chosen.
"""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa

from failmap import database
from failmap.demo import PLANTED
from tests.streamlit_app.conftest import every_page, texts

C14 = "character=c14"  # a planted pattern; LoRA l14 is its alias (c14's LoRA)


def _no_exception(app) -> None:
    assert not app.exception, [e.value for e in app.exception]


def _chart_rows(chart) -> pd.DataFrame:
    """The rows a chart draws: Streamlit sends them beside the spec, as Arrow."""
    frames = [pa.ipc.open_stream(dataset.data.data).read_all() for dataset in chart.proto.datasets]
    return max((frame.to_pandas() for frame in frames), key=len)


def _specs(app) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]


def test_with_a_fix_agrees_with_the_fixes_column_right_after_a_fix(open_page, demo_url) -> None:
    with database.connect(demo_url) as conn:
        conn.execute(
            "insert into app.pattern_fixes (pattern_key, fix_description, reported_by) "
            "values (%s, 'Swapped the LoRA', 'Ann')",
            (C14,),
        )
        conn.commit()
    app = open_page(demo_url)
    _no_exception(app)
    table = app.dataframe[0].value
    with_fix = int((table["fix_count"] > 0).sum())
    assert with_fix == 1
    metrics = {metric.label: metric.value for metric in app.metric}
    current = [p for p in PLANTED.expected_patterns if p.status != "resolved"]
    assert metrics["With a fix"] == f"1 of {len(current)}"  # of the current patterns


def test_patterns_page_shows_no_detail_until_a_row_is_selected(open_page, demo_url) -> None:
    app = open_page(demo_url, "app_pages/patterns.py")
    _no_exception(app)
    assert "Select a pattern" in texts(app)
    assert not [area for area in app.text_area if area.label == "What did you change?"]
    listed = app.dataframe(key="patterns_table").value
    row = list(listed["pattern_key"]).index(C14)
    app.session_state["patterns_table"] = {"selection": {"rows": [row], "columns": []}}
    app.run()
    _no_exception(app)
    assert "Character c14" in [header.value for header in app.subheader]


def test_heatmaps_mark_pattern_cells_on_a_fixed_scale_and_name_the_alias(
    open_page, demo_url
) -> None:
    app = open_page(demo_url, "app_pages/heatmaps.py")
    _no_exception(app)
    first, second = _specs(app)
    for spec in (first, second):
        rect = spec["layer"][0]["encoding"]["color"]["scale"]
        assert rect["domain"] == [0, 0.3]  # the same colours in every period
        outline = next(layer for layer in spec["layer"] if layer.get("name") == "pattern_outline")
        assert outline["mark"]["filled"] is False
    cells = _chart_rows(app.get("vega_lite_chart")[0])
    outlined = set(cells.loc[cells["pattern"] != "", "character"])
    assert outlined == {"c14"}
    assert second["title"]["text"].startswith("Character c14 (LoRA l14) fails most")
    # The title's number is the one its cell shows (the estimate), with the raw count beside it.
    assert "estimated" in first["title"]["text"]


def test_trends_series_narrows_both_tables_and_says_what_explains_a_flag(
    open_page, demo_url
) -> None:
    regression = next(c for c in PLANTED.version_changes if c.verdict == "regression")
    app = open_page(demo_url, "app_pages/trends.py")
    app.selectbox(key="trend_dimension").set_value(regression.dimension).run()
    app.selectbox(key=f"trend_value_{regression.dimension}").set_value(regression.value).run()
    _no_exception(app)
    title = _specs(app)[0]["title"]["text"]
    name = f"Model {regression.value}"
    assert title.startswith(f"{name}:") and title.count(name) == 1
    changes = next(t.value for t in app.dataframe if "verdict" in t.value.columns)
    assert set(changes["dimension_value"]) == {regression.value}
    app.toggle(key="trend_small_days").set_value(True).run()
    flags = next(t.value for t in app.dataframe if "explained_by_change" in t.value.columns)
    assert set(flags["series"]) == {name}
    explained = set(flags["explained_by_change"])
    assert None not in explained and "None" not in explained
    assert not any("=" in text or "->" in text for text in explained), explained


def test_check_page_offers_sorted_values_and_takes_a_position_number(open_page, demo_url) -> None:
    app = open_page(demo_url, "app_pages/check.py")
    _no_exception(app)
    for key in ("check_workflow", "check_model", "check_lora", "check_character"):
        options = app.selectbox(key=key).options
        assert options == sorted(options, key=lambda v: (v == "none", v)), (key, options)
    position = app.number_input(key="check_segment_position")
    assert position.value is None  # empty: the whole scene


@every_page
def test_no_table_shows_an_empty_value_as_none(open_page, demo_url, page: str, title: str):
    """The grid draws a missing value as the word `None`: shown columns hold none."""
    app = open_page(demo_url, page)
    if page == "app_pages/patterns.py":  # its detail tables too
        app.session_state["patterns_table"] = {"selection": {"rows": [0], "columns": []}}
        app.run()
    _no_exception(app)
    for table in app.dataframe:
        shown = list(table.proto.column_order) or list(table.value.columns)
        frame = table.value[[column for column in shown if column in table.value.columns]]
        empty = [column for column in frame.columns if frame[column].isna().any()]
        assert empty == [], (title, empty)
