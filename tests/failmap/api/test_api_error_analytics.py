"""Error analytics of the last N days: the same numbers as `failmap report` (the same SQL)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from failmap import database
from failmap.report import report_period
from failmap.report.queries import fetch

BASE = "/api/error-analytics"


def test_summary_matches_the_reports_numbers(client: TestClient, api_database_url: str) -> None:
    response = client.get(f"{BASE}/summary", params={"days": 30})
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["period"]["days"] == 30
    period = report_period(days=30)
    with database.connect(api_database_url) as conn:
        [expected] = fetch(conn, "summary", **period.params)
    assert summary["run_count"] == expected["run_count"] > 0
    assert summary["failed_run_count"] == expected["failed_run_count"] > 0
    shorter = client.get(f"{BASE}/summary", params={"days": 7}).json()
    assert 0 < shorter["run_count"] < summary["run_count"]


def test_phases_categories_trends_and_recommendations_are_served(client: TestClient) -> None:
    phases = client.get(f"{BASE}/by-phase").json()
    assert phases and {"phase", "failure_rate", "is_flagged"} <= set(phases[0])
    patterns = client.get(f"{BASE}/patterns").json()
    assert patterns["categories"] and patterns["signatures"]
    categories = {c["category"] for c in patterns["categories"]}
    assert {s["category"] for s in patterns["signatures"]} <= categories
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
