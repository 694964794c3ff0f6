"""The heatmap: axes either way round, input rules, and the period (`since`/`until`).

Over all history the cells are marts.failure_heatmap's; a period spanning all data must give the
same cells, and a narrower one the counts that SQL over `raw.quality_scores` gives (a segment
fails when any of its checks failed and belongs to the UTC day of its last check).
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from failmap import database

HEATMAP = "/api/analytics/failure-heatmap"

# Segments from raw check rows: last check time, failed or not, and the two dimensions.
RAW_CELLS = """
    with segments as (
        select
            segment_id,
            max(evaluated_at) as evaluated_at,
            bool_or(not passed) as is_failed,
            max(coalesce(character, 'none')) as character,
            max(scene_type) as scene_type
        from raw.quality_scores
        group by segment_id
    )

    select scene_type, character, count(*), count(*) filter (where is_failed)
    from segments
    where evaluated_at >= %(start_at)s and evaluated_at < %(end_at)s
    group by scene_type, character
"""
RAW_SPAN = """
    select min(last_check), max(last_check)
    from (
        select (max(evaluated_at) at time zone 'UTC')::date as last_check
        from raw.quality_scores
        group by segment_id
    ) as segments
"""


def _data_span(url: str) -> tuple[dt.date, dt.date]:
    with database.connect(url) as conn:
        [(first, last)] = conn.execute(RAW_SPAN).fetchall()
    return first, last


def _raw_cells(url: str, first: dt.date, last: dt.date) -> dict[tuple[str, str], tuple[int, int]]:
    """(scene_type, character) -> (segments, failed segments) evaluated in the days given."""
    bounds = {
        "start_at": dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC),
        "end_at": dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
    }
    with database.connect(url) as conn:
        rows = conn.execute(RAW_CELLS, bounds).fetchall()
    return {(x, y): (total, failed) for x, y, total, failed in rows}


def _heatmap(client: TestClient, **params: object) -> dict:
    response = client.get(HEATMAP, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _by_cell(heatmap: dict) -> dict[tuple[str, str], dict]:
    return {(c["x_value"], c["y_value"]): c for c in heatmap["cells"]}


def _assert_same_cells(got: dict, expected: dict) -> None:
    assert got["overall_rate"] == pytest.approx(expected["overall_rate"], abs=1e-12)
    cells, wanted = _by_cell(got), _by_cell(expected)
    assert cells.keys() == wanted.keys()
    for key, cell in cells.items():
        want = wanted[key]
        exact = ("total_count", "failure_count", "is_pattern", "pattern_key")
        assert {f: cell[f] for f in exact} == {f: want[f] for f in exact}, key
        for rate in ("failure_rate", "shrunk_failure_rate"):
            assert cell[rate] == pytest.approx(want[rate], abs=1e-12), (key, rate)


def test_heatmap_axes_are_chosen_by_query_either_way_round(client: TestClient) -> None:
    forward = client.get(HEATMAP, params={"x": "character", "y": "lora"})
    backward = client.get(HEATMAP, params={"x": "lora", "y": "character"})
    assert forward.status_code == backward.status_code == 200
    cells = {(c["x_value"], c["y_value"]): c["failure_count"] for c in forward.json()["cells"]}
    swapped = {(c["y_value"], c["x_value"]): c["failure_count"] for c in backward.json()["cells"]}
    assert cells and cells == swapped
    assert forward.json()["x"] == "character"
    assert any(c["is_pattern"] for c in forward.json()["cells"])


@pytest.mark.parametrize(
    ("x", "y"), [("scene_type", "character"), ("character", "lora"), ("workflow", "model")]
)
def test_a_period_spanning_all_data_gives_the_all_history_heatmap(
    client: TestClient, api_database_url: str, x: str, y: str
) -> None:
    first, last = _data_span(api_database_url)
    whole = _heatmap(client, x=x, y=y)
    assert (whole["since"], whole["until"]) == (None, None) and whole["cells"]
    span = _heatmap(client, x=x, y=y, since=first.isoformat(), until=last.isoformat())
    assert (span["since"], span["until"]) == (first.isoformat(), last.isoformat())
    _assert_same_cells(span, whole)
    # Either end may be left open.
    _assert_same_cells(_heatmap(client, x=x, y=y, since=first.isoformat()), whole)
    _assert_same_cells(_heatmap(client, x=x, y=y, until=last.isoformat()), whole)


def test_a_narrower_period_counts_that_periods_segments(
    client: TestClient, api_database_url: str
) -> None:
    _, last = _data_span(api_database_url)
    first = last - dt.timedelta(days=6)
    whole = _by_cell(_heatmap(client))
    week = _heatmap(client, since=first.isoformat(), until=last.isoformat())
    cells = _by_cell(week)  # x = scene_type, y = character: the marts' pair swapped
    raw = _raw_cells(api_database_url, first, last)

    assert {k: (c["total_count"], c["failure_count"]) for k, c in cells.items()} == raw
    assert sum(total for total, _ in raw.values()) < sum(c["total_count"] for c in whole.values())
    total, failed = (sum(counts) for counts in zip(*raw.values(), strict=True))
    assert week["overall_rate"] == pytest.approx(failed / total, abs=1e-12)
    for key, cell in cells.items():
        rate = cell["failure_count"] / cell["total_count"]
        assert cell["failure_rate"] == pytest.approx(rate, abs=1e-12)
        # Shrunk toward the period's overall rate, never past it.
        low, high = sorted((rate, week["overall_rate"]))
        assert low - 1e-12 <= cell["shrunk_failure_rate"] <= high + 1e-12, key
        # Patterns are found over all history: the flags do not follow the period.
        assert (cell["is_pattern"], cell["pattern_key"]) == (
            whole[key]["is_pattern"],
            whole[key]["pattern_key"],
        )

    support = sorted(total for total, _ in raw.values())[len(raw) // 2]
    supported = _heatmap(
        client, since=first.isoformat(), until=last.isoformat(), min_support=support
    )
    assert _by_cell(supported).keys() == {k for k, (t, _) in raw.items() if t >= support}
    assert 0 < len(supported["cells"]) < len(raw)
    assert supported["overall_rate"] == week["overall_rate"]  # the pair's rate, all cells


def test_a_period_without_data_has_no_cells(client: TestClient) -> None:
    empty = _heatmap(client, until="2000-01-01")
    assert empty["cells"] == [] and empty["overall_rate"] is None


@pytest.mark.parametrize(
    ("params", "field", "rule"),
    [
        ({"x": "colour"}, "x", "Input should be"),
        ({"x": "lora", "y": "lora"}, "y", "different"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "since", "must not be after"),
        ({"until": "yesterday"}, "until", "valid date"),
        ({"min_support": -1}, "min_support", "greater than or equal"),
    ],
)
def test_bad_heatmap_input_is_422_naming_the_field(
    client: TestClient, params: dict, field: str, rule: str
) -> None:
    response = client.get(HEATMAP, params=params)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"][:2] == ["query", field] and rule in error["msg"], error
