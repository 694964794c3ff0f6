"""503 with a message when a mart is missing or the database is down; trends when it exists."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from failmap import database
from failmap.api import create_app


@pytest.fixture(scope="module")
def unbuilt(empty_database_url: str) -> Iterator[TestClient]:
    app = create_app(database_url=empty_database_url, token=None)
    with TestClient(app, client=("127.0.0.1", 50000)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("method", "path", "mart"),
    [
        ("get", "/api/analytics/failure-patterns", "marts.failure_patterns"),
        ("get", "/api/failure-patterns/lora%3Dl07/occurrences", "marts.failure_patterns"),
        ("get", "/api/analytics/failure-heatmap", "marts.failure_heatmap"),
        ("get", "/api/analytics/failure-heatmap?since=2026-01-01", "marts.daily_failure_heatmap"),
        ("get", "/api/analytics/failure-trends", "marts.daily_failure_trends"),
        ("get", "/api/analytics/change-events", "marts.change_events"),
        ("get", "/api/failure-patterns/lora%3Dl07/fixes", "marts.pattern_history"),
        ("post", "/api/failure-patterns/lora%3Dl07/fixes", "marts.pattern_history"),
        ("get", "/api/error-analytics/summary", "marts.run_errors"),
        ("get", "/api/error-analytics/patterns", "marts.run_errors"),
        ("get", "/api/error-analytics/recommendations", "marts.run_errors"),
        ("post", "/api/check", None),
    ],
)
def test_a_missing_mart_is_503_with_a_message(
    unbuilt: TestClient, method: str, path: str, mart: str | None
) -> None:
    body = (
        {"description": "x", "reported_by": "me"}
        if path.endswith("/fixes")
        else {"workflow": "w01", "model": "m01", "scene_type": "action"}
    )
    response = unbuilt.request(method, path, json=body if method == "post" else None)
    assert response.status_code == 503, response.text
    detail = response.json()["detail"]
    assert "refresh" in detail
    if mart:
        assert mart in detail


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/analytics/failure-patterns", {"limit": 0}, "limit"),
        ("/api/analytics/failure-heatmap", {"since": "2026-02-01", "until": "2026-01-01"}, "since"),
        ("/api/analytics/failure-trends", {"since": "2026-02-01", "until": "2026-01-01"}, "since"),
        ("/api/analytics/change-events", {"verdict": "worse"}, "verdict"),
        ("/api/failure-patterns/colour%3Dred/fixes", {}, "pattern_key"),
        ("/api/failure-patterns/lora%3Dl07/fixes", {"offset": -1}, "offset"),
        ("/api/error-analytics/summary", {"until": "0001-01-02"}, "until"),
        ("/api/error-analytics/patterns", {"limit": 501}, "limit"),
    ],
)
def test_bad_input_is_422_before_the_marts_exist(
    unbuilt: TestClient, path: str, params: dict, field: str
) -> None:
    # What was asked is wrong whatever the database holds: 422 comes before any 503.
    response = unbuilt.get(path, params=params)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][1] == field


def test_the_trends_endpoint_serves_the_built_trends_mart(client: TestClient) -> None:
    # The 503 before the mart exists is covered above on an unbuilt database.
    response = client.get("/api/analytics/failure-trends", params={"dimension": "overall"})
    assert response.status_code == 200, response.text
    assert response.json()["total"] > 0


def test_trends_are_served_once_the_mart_exists(fresh_database_url: str) -> None:
    with database.connect(fresh_database_url) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute(
            """
            create table marts.daily_failure_trends (
                day date, dimension text, dimension_value text, total_count bigint,
                failure_count bigint, failure_rate double precision,
                baseline_rate double precision, regression_flag boolean,
                improvement_flag boolean, explained_by_change text
            )
            """
        )
        conn.execute(
            """
            insert into marts.daily_failure_trends values
                ('2026-01-01', 'overall', 'all', 100, 10, 0.1, 0.1, false, false, null),
                ('2026-01-02', 'overall', 'all', 100, 30, 0.3, 0.1, true, false, null),
                ('2026-01-02', 'model', 'm01', 50, 5, 0.1, 0.1, false, false, null)
            """
        )
        conn.commit()
    with TestClient(create_app(database_url=fresh_database_url, token=None)) as api:
        everything = api.get("/api/analytics/failure-trends").json()
        flagged = api.get("/api/analytics/failure-trends", params={"flagged_only": True}).json()
        model = api.get(
            "/api/analytics/failure-trends",
            params={"dimension": "model", "since": "2026-01-02", "until": "2026-01-02"},
        ).json()
    assert everything["total"] == 3
    assert [p["day"] for p in flagged["items"]] == ["2026-01-02"]
    assert flagged["items"][0]["regression_flag"] is True
    assert [p["dimension_value"] for p in model["items"]] == ["m01"]
    assert dt.date.fromisoformat(model["items"][0]["day"]) == dt.date(2026, 1, 2)


def test_a_period_heatmap_without_its_function_is_503(fresh_database_url: str) -> None:
    # Both marts, but not the function daily_failure_heatmap's post-hook creates.
    with database.connect(fresh_database_url) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute("create table marts.failure_heatmap (x_dimension text)")
        conn.execute("create table marts.daily_failure_heatmap (x_dimension text)")
        conn.commit()
    with TestClient(create_app(database_url=fresh_database_url, token=None)) as api:
        response = api.get("/api/analytics/failure-heatmap", params={"until": "2026-01-01"})
    assert response.status_code == 503, response.text
    assert "marts.failure_heatmap_for_period" in response.json()["detail"]
    assert "refresh" in response.json()["detail"]


@pytest.mark.parametrize("lifespan", [True, False], ids=["pool", "connection per request"])
def test_an_unreachable_database_is_503_without_a_stack_trace(tmp_path, lifespan: bool) -> None:
    # The app starts although nothing listens there (the pool connects in the background).
    url = f"postgresql://nobody@/nowhere?host={tmp_path}&port=1"
    api = TestClient(create_app(database_url=url, token=None), raise_server_exceptions=False)
    with api if lifespan else contextlib.nullcontext(api):
        for path in ("/api/health", "/api/analytics/failure-patterns", "/api/health"):
            response = api.get(path)
            assert response.status_code == 503, response.text
            assert "cannot connect to PostgreSQL" in response.json()["detail"]
            assert "Traceback" not in response.text


def test_a_mart_of_an_older_failmap_is_503_with_a_message(fresh_database_url: str) -> None:
    # An existing home after an upgrade, before its next refresh: the mart is there, a column
    # the API reads is not. A 503 that says what to do, not a 500.
    with database.connect(fresh_database_url) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute("create table marts.failure_patterns (pattern_key text, description text)")
    app = create_app(database_url=fresh_database_url, token=None)
    with TestClient(app, client=("127.0.0.1", 50000)) as older:
        response = older.get("/api/analytics/failure-patterns")
    assert response.status_code == 503, response.text
    detail = response.json()["detail"]
    assert "older version of failmap" in detail and "failmap refresh" in detail
