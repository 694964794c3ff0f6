"""Error analytics of the last N days: the same numbers as `failmap report` (the same reads)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from failmap import database
from failmap.read import errors
from failmap.report import report_period

BASE = "/api/error-analytics"


def test_summary_matches_the_reports_numbers(client: TestClient, api_database_url: str) -> None:
    response = client.get(f"{BASE}/summary", params={"days": 30})
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["period"]["days"] == 30
    period = report_period(days=30)
    with database.connect(api_database_url) as conn:
        expected = errors.error_summary(conn, period.start, period.end)
    assert summary["run_count"] == expected.run_count > 0
    assert summary["failed_run_count"] == expected.failed_run_count > 0
    shorter = client.get(f"{BASE}/summary", params={"days": 7}).json()
    assert 0 < shorter["run_count"] < summary["run_count"]


def test_phases_categories_trends_and_recommendations_are_served(client: TestClient) -> None:
    phases = client.get(f"{BASE}/by-phase").json()
    assert phases and {"phase", "failure_rate", "is_flagged"} <= set(phases[0])
    patterns = client.get(f"{BASE}/patterns").json()
    assert patterns["categories"] and patterns["signatures"]["items"]
    categories = {c["category"] for c in patterns["categories"]}
    assert {s["category"] for s in patterns["signatures"]["items"]} <= categories
    trends = client.get(f"{BASE}/trends", params={"days": 14}).json()
    days = {p["day"] for p in trends["points"]}
    assert 0 < len(days) <= 14
    recommendations = client.get(f"{BASE}/recommendations", params={"limit": 3}).json()
    ranks = [r["priority_rank"] for r in recommendations["items"]]
    assert 0 < len(ranks) <= 3 and ranks == sorted(ranks)


def test_days_out_of_range_is_422(client: TestClient) -> None:
    for days in (0, 100_000):
        response = client.get(f"{BASE}/summary", params={"days": days})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "days"]


def _signature_ids(page: dict) -> list[str]:
    return [s["signature_id"] for s in page["items"]]


def test_signatures_come_in_pages_in_the_reports_order(
    client: TestClient, api_database_url: str
) -> None:
    # The last 60 days: all of the demo data but its first day.
    everything = client.get(f"{BASE}/patterns", params={"days": 60, "limit": 500}).json()
    signatures = everything["signatures"]
    with database.connect(api_database_url) as conn:
        period = report_period(days=60)
        expected, _ = errors.error_signatures(conn, period.start, period.end)
    assert _signature_ids(signatures) == [row.signature_id for row in expected]
    assert signatures["total"] == len(expected) >= 3

    page = client.get(f"{BASE}/patterns", params={"days": 60, "limit": 2, "offset": 1}).json()
    assert page["signatures"]["total"] == signatures["total"]
    assert (page["signatures"]["limit"], page["signatures"]["offset"]) == (2, 1)
    assert _signature_ids(page["signatures"]) == _signature_ids(signatures)[1:3]
    assert page["categories"] == everything["categories"]  # categories are not paged
    default = client.get(f"{BASE}/patterns", params={"days": 60}).json()["signatures"]
    assert default["limit"] == 50
    past_the_end = client.get(f"{BASE}/patterns", params={"days": 60, "offset": 1000}).json()
    assert past_the_end["signatures"]["items"] == []
    assert past_the_end["signatures"]["total"] == signatures["total"]


def test_the_category_filter_keeps_one_categorys_row_signatures_and_trend(
    client: TestClient,
) -> None:
    everything = client.get(f"{BASE}/patterns", params={"days": 60, "limit": 500}).json()
    by_category: dict[str, int] = {}
    for signature in everything["signatures"]["items"]:
        by_category[signature["category"]] = by_category.get(signature["category"], 0) + 1
    category = max(by_category, key=by_category.__getitem__)
    assert by_category[category] < everything["signatures"]["total"]  # the filter drops some

    one = client.get(f"{BASE}/patterns", params={"days": 60, "category": category}).json()
    assert [c["category"] for c in one["categories"]] == [category]
    assert one["signatures"]["total"] == by_category[category]
    assert {s["category"] for s in one["signatures"]["items"]} == {category}

    trend = client.get(f"{BASE}/trends", params={"days": 60, "category": category}).json()
    all_trends = client.get(f"{BASE}/trends", params={"days": 60}).json()
    assert trend["points"] == [p for p in all_trends["points"] if p["category"] == category]
    assert trend["points"] and len(trend["points"]) < len(all_trends["points"])
    unknown = client.get(f"{BASE}/patterns", params={"category": "no_such_category"}).json()
    assert unknown["categories"] == [] and unknown["signatures"]["total"] == 0


def test_recommendations_come_in_pages_most_urgent_first(client: TestClient) -> None:
    everything = client.get(f"{BASE}/recommendations", params={"days": 60, "limit": 100}).json()
    ranks = [r["priority_rank"] for r in everything["items"]]
    assert everything["total"] == len(ranks) >= 3 and ranks == sorted(ranks)
    page = client.get(
        f"{BASE}/recommendations", params={"days": 60, "limit": 2, "offset": 1}
    ).json()
    assert [r["priority_rank"] for r in page["items"]] == ranks[1:3]
    assert (page["total"], page["limit"], page["offset"]) == (everything["total"], 2, 1)
    past_the_end = client.get(f"{BASE}/recommendations", params={"offset": 1000}).json()
    assert past_the_end["items"] == [] and past_the_end["total"] > 0


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("patterns", {"limit": 501}, "limit"),
        ("patterns", {"limit": 0}, "limit"),
        ("patterns", {"offset": -1}, "offset"),
        ("patterns", {"category": ""}, "category"),
        ("patterns", {"category": "oom\x00"}, "category"),
        ("trends", {"category": "x" * 201}, "category"),
        ("recommendations", {"limit": 101}, "limit"),
        ("recommendations", {"offset": -1}, "offset"),
        ("summary", {"until": "0001-01-02"}, "until"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: TestClient, path: str, params: dict, field: str
) -> None:
    response = client.get(f"{BASE}/{path}", params=params)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"][:2] == ["query", field] and error["msg"], error
