"""Version-change verdicts (marts.change_events): the list, its filters, pages and input rules."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from failmap.demo import PLANTED

CHANGES = "/api/analytics/change-events"
REGRESSION = next(c for c in PLANTED.version_changes if c.verdict == "regression")


def _everything(client: TestClient) -> list[dict]:
    response = client.get(CHANGES, params={"limit": 500})
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == len(page["items"])
    return page["items"]


def test_every_planted_version_change_is_served_newest_first(client: TestClient) -> None:
    changes = _everything(client)
    served = {
        (c["dimension"], c["dimension_value"], c["from_version"], c["to_version"]) for c in changes
    }
    planted = {
        (c.dimension, c.value, c.from_version, c.to_version) for c in PLANTED.version_changes
    }
    assert planted <= served
    times = [c["changed_at"] for c in changes]
    assert times == sorted(times, reverse=True)
    assert all(c["verdict"] in {"regression", "improvement", "no_change", "insufficient_data"}
               for c in changes)  # fmt: skip


def test_the_planted_regression_is_found_by_verdict_model_and_version(client: TestClient) -> None:
    regressions = client.get(CHANGES, params={"verdict": "regression"}).json()["items"]
    assert {c["verdict"] for c in regressions} == {"regression"}
    [event] = [c for c in regressions if c["dimension_value"] == REGRESSION.value]
    assert (event["from_version"], event["to_version"]) == (
        REGRESSION.from_version,
        REGRESSION.to_version,
    )
    assert event["rate_after"] > event["rate_before"] and event["p_value"] <= 0.01
    by_model = client.get(
        CHANGES, params={"dimension": REGRESSION.dimension, "dimension_value": REGRESSION.value}
    ).json()["items"]
    assert event["change_key"] in [c["change_key"] for c in by_model]
    assert {c["dimension_value"] for c in by_model} == {REGRESSION.value}
    # A version filter matches both sides: the release and its rollback.
    by_version = client.get(CHANGES, params={"version": REGRESSION.to_version}).json()["items"]
    assert event["change_key"] in [c["change_key"] for c in by_version]
    assert all(REGRESSION.to_version in (c["from_version"], c["to_version"]) for c in by_version)
    several = client.get(CHANGES, params={"verdict": ["regression", "improvement"]}).json()
    assert {c["verdict"] for c in several["items"]} == {"regression", "improvement"}


def test_the_date_range_filters_on_the_day_of_the_change(client: TestClient) -> None:
    changes = _everything(client)
    day = dt.date.fromisoformat(changes[-1]["changed_on"])  # the oldest change
    only = client.get(CHANGES, params={"since": day.isoformat(), "until": day.isoformat()}).json()
    assert {c["changed_on"] for c in only["items"]} == {day.isoformat()}
    later = client.get(CHANGES, params={"since": (day + dt.timedelta(days=1)).isoformat()}).json()
    assert later["total"] == len([c for c in changes if c["changed_on"] > day.isoformat()])
    assert client.get(CHANGES, params={"until": "2000-01-01"}).json()["total"] == 0


def test_pages_keep_the_total(client: TestClient) -> None:
    changes = _everything(client)
    assert len(changes) >= 2
    second = client.get(CHANGES, params={"limit": 1, "offset": 1}).json()
    assert [c["change_key"] for c in second["items"]] == [changes[1]["change_key"]]
    assert second["total"] == len(changes)
    past_the_end = client.get(CHANGES, params={"offset": 1000}).json()
    assert past_the_end["items"] == [] and past_the_end["total"] == len(changes)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 501}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"verdict": "worse"}, "verdict"),
        ({"dimension": "lora"}, "dimension"),
        ({"version": ""}, "version"),
        ({"version": "1.5\x00"}, "version"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "since"),
    ],
)
def test_bad_input_is_422_naming_the_field(client: TestClient, params: dict, field: str) -> None:
    response = client.get(CHANGES, params=params)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"][:2] == ["query", field] and error["msg"], error
