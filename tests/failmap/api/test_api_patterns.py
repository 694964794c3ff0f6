"""Patterns, one pattern by key, occurrences (the drill-down) and their input rules."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from failmap.api.routes.common import MAX_PATTERN_KEY_LENGTH
from tests.failmap.api.conftest import demo_pattern

PATTERNS = "/api/analytics/failure-patterns"


def _path(key: str, suffix: str = "") -> str:
    return f"/api/failure-patterns/{quote(key, safe='')}{suffix}"


def test_patterns_come_most_impact_first_with_total_and_pages(client: TestClient) -> None:
    everything = client.get(PATTERNS, params={"limit": 500}).json()
    assert everything["total"] == len(everything["items"]) >= 2
    ranks = [p["impact_rank"] for p in everything["items"]]
    assert ranks == sorted(ranks)
    second_page = client.get(PATTERNS, params={"limit": 1, "offset": 1}).json()
    assert second_page["items"][0]["pattern_key"] == everything["items"][1]["pattern_key"]
    assert second_page["total"] == everything["total"]
    past_the_end = client.get(PATTERNS, params={"offset": 1000}).json()
    assert past_the_end["items"] == [] and past_the_end["total"] == everything["total"]


def test_pattern_filters_keep_only_matching_patterns(client: TestClient) -> None:
    top = demo_pattern(client)
    dimension, value = next(iter(top["dimensions"].items()))
    filtered = client.get(PATTERNS, params={dimension: value}).json()["items"]
    assert top["pattern_key"] in [p["pattern_key"] for p in filtered]
    assert all(p["dimensions"].get(dimension) == value for p in filtered)
    by_severity = client.get(PATTERNS, params={"severity": top["severity"]}).json()["items"]
    assert {p["severity"] for p in by_severity} == {top["severity"]}
    too_big = top["total_count"] + 1
    supported = client.get(PATTERNS, params={"min_support": too_big}).json()["items"]
    assert all(p["total_count"] >= too_big for p in supported)
    assert top["pattern_key"] not in [p["pattern_key"] for p in supported]
    assert client.get(PATTERNS, params={"until": "2000-01-01"}).json()["total"] == 0


def test_bad_list_input_is_422_naming_the_field_and_the_rule(client: TestClient) -> None:
    for params, field in (
        ({"limit": 501}, "limit"),
        ({"offset": -1}, "offset"),
        ({"severity": "critical"}, "severity"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "since"),
    ):
        response = client.get(PATTERNS, params=params)
        assert response.status_code == 422, (params, response.text)
        [error] = response.json()["detail"]
        assert error["loc"][:2] == ["query", field] and error["msg"], error


def test_a_pattern_is_found_by_its_url_encoded_key_in_any_order(client: TestClient) -> None:
    top = demo_pattern(client)
    response = client.get(_path(top["pattern_key"]))
    assert response.status_code == 200, response.text
    assert response.json() == top
    reversed_key = "|".join(reversed(top["pattern_key"].split("|")))
    assert client.get(_path(reversed_key)).json()["pattern_key"] == top["pattern_key"]


def test_a_pattern_is_found_by_its_alias(client: TestClient) -> None:
    patterns = client.get(PATTERNS, params={"limit": 500}).json()["items"]
    with_alias = next(p for p in patterns if p["aliases"])
    found = client.get(_path(with_alias["aliases"][0])).json()
    assert found["pattern_key"] == with_alias["pattern_key"]


# Every route that takes a pattern key in its path.
KEY_ROUTES = ("", "/occurrences", "/fixes")


@pytest.mark.parametrize("suffix", KEY_ROUTES)
def test_a_well_formed_unknown_key_is_404(client: TestClient, suffix: str) -> None:
    response = client.get(_path("lora=no-such-lora|character=nobody", suffix))
    assert response.status_code == 404, response.text
    assert "lora=no-such-lora" in response.json()["detail"]


@pytest.mark.parametrize("suffix", KEY_ROUTES)
@pytest.mark.parametrize(
    ("key", "rule"),
    [
        ("colour=red", "unknown dimension 'colour'"),
        ("", "at least 1 character"),
        ("lora=" + "x" * MAX_PATTERN_KEY_LENGTH, f"at most {MAX_PATTERN_KEY_LENGTH} characters"),
        ("lora", "is not dimension=value"),
        ("lora=", "is not dimension=value"),
        ("lora=l07|lora=l08", "appears twice"),
        ("lora=l07\x00", "NUL"),
    ],
)
def test_a_malformed_key_is_422_naming_the_field_and_the_rule(
    client: TestClient, suffix: str, key: str, rule: str
) -> None:
    response = client.get(_path(key, suffix))
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["path", "pattern_key"]
    assert rule in error["msg"], error


def test_occurrences_are_the_patterns_failing_segments(client: TestClient) -> None:
    top = demo_pattern(client)
    page = client.get(_path(top["pattern_key"], "/occurrences"), params={"limit": 5}).json()
    assert page["total"] == top["failure_count"]
    assert len(page["items"]) == 5
    times = [o["evaluated_at"] for o in page["items"]]
    assert times == sorted(times, reverse=True)
    assert all(o["failed_checks"] for o in page["items"])
    nothing = client.get(_path(top["pattern_key"], "/occurrences"), params={"until": "2000-01-01"})
    assert nothing.json()["total"] == 0


def test_openapi_schema_and_docs_are_served(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in (
        "/api/analytics/failure-patterns",
        "/api/analytics/failure-heatmap",
        "/api/analytics/failure-trends",
        "/api/analytics/change-events",
        "/api/failure-patterns/{pattern_key}",
        "/api/failure-patterns/{pattern_key}/fixes",
        "/api/failure-patterns/{pattern_key}/occurrences",
        "/api/check",
        "/api/error-analytics/summary",
        "/api/error-analytics/by-phase",
        "/api/error-analytics/patterns",
        "/api/error-analytics/trends",
        "/api/error-analytics/recommendations",
    ):
        assert path in schema["paths"], path
    assert client.get("/docs").status_code == 200
    [key] = schema["paths"]["/api/failure-patterns/{pattern_key}"]["get"]["parameters"]
    assert key["schema"]["maxLength"] == MAX_PATTERN_KEY_LENGTH and key["schema"]["pattern"]


def test_health_says_the_database_answers(client: TestClient) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "reachable"}
