"""Fixes and checks through the API: the core's rules, the alert log, and who may write."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from failmap import database
from failmap.api import create_app
from tests.failmap.api.conftest import demo_pattern


def _fixes_path(key: str) -> str:
    return f"/api/failure-patterns/{quote(key, safe='')}/fixes"


def _configuration_in(url: str, pattern: dict) -> dict:
    """A configuration (seen in the data) that lies in `pattern`."""
    dimensions = {d: v for d, v in pattern["dimensions"].items() if d != "segment_position"}
    conditions = " and ".join(f"{d} = %({d})s" for d in dimensions)
    with database.connect(url) as conn:
        row = conn.execute(
            "select workflow, model, lora, character, scene_type "  # noqa: S608 - fixed names
            f"from intermediate.int_segments_outcomes_derived where {conditions} limit 1",
            dimensions,
        ).fetchone()
    assert row is not None
    names = ("workflow", "model", "lora", "character", "scene_type")
    return dict(zip(names, row, strict=True))


def test_a_fix_recorded_through_the_api_shows_in_the_next_check(
    client: TestClient, api_database_url: str
) -> None:
    pattern = demo_pattern(client)
    recorded = client.post(
        _fixes_path(pattern["pattern_key"]),
        json={
            "description": "Lower the CFG scale to 6 for this combination",
            "reported_by": "api-test",
            "effectiveness": "improved",
            "parameters": {"cfg_scale": 6},
        },
    )
    assert recorded.status_code == 201, recorded.text
    fix = recorded.json()
    assert fix["pattern_key"] == pattern["pattern_key"] and fix["parameters"] == {"cfg_scale": 6}
    listed = client.get(_fixes_path(pattern["pattern_key"])).json()["items"]
    assert fix["fix_id"] in [f["fix_id"] for f in listed]

    checked = client.post("/api/check", json=_configuration_in(api_database_url, pattern))
    assert checked.status_code == 200, checked.text
    result = checked.json()
    matched = {p["pattern_key"]: p for p in result["patterns"]}
    assert pattern["pattern_key"] in matched
    assert fix["fix_id"] in [f["fix_id"] for f in matched[pattern["pattern_key"]]["fixes"]]
    assert 0 <= result["lower"] <= result["predicted_failure_rate"] <= result["upper"] <= 1
    with database.connect(api_database_url) as conn:
        [(source, keys)] = conn.execute(
            "select source, matched_pattern_keys from app.alert_log where alert_id = %s",
            [result["alert_id"]],
        ).fetchall()
    assert source == "api" and pattern["pattern_key"] in keys


def test_a_patterns_fixes_come_in_pages_newest_first_with_the_total(client: TestClient) -> None:
    # The second pattern: the top one collects the other tests' fixes.
    patterns = client.get("/api/analytics/failure-patterns", params={"limit": 2}).json()["items"]
    path = _fixes_path(patterns[1]["pattern_key"])
    before = client.get(path, params={"limit": 500}).json()["total"]
    written = [
        client.post(path, json={"description": f"fix {n}", "reported_by": "api-test"}).json()
        for n in range(3)
    ]
    everything = client.get(path, params={"limit": 500}).json()
    assert everything["total"] == len(everything["items"]) == before + 3
    newest = [f["fix_id"] for f in everything["items"][:3]]
    assert newest == [f["fix_id"] for f in reversed(written)]

    page = client.get(path, params={"limit": 2, "offset": 1}).json()
    assert (page["limit"], page["offset"], page["total"]) == (2, 1, everything["total"])
    assert [f["fix_id"] for f in page["items"]] == newest[1:3]
    assert client.get(path).json()["limit"] == 50
    past_the_end = client.get(path, params={"offset": 1000}).json()
    assert past_the_end["items"] == [] and past_the_end["total"] == everything["total"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 501}, "limit"), ({"limit": 0}, "limit"), ({"offset": -1}, "offset")],
)
def test_bad_fix_pages_are_422_naming_the_field(
    client: TestClient, params: dict, field: str
) -> None:
    response = client.get(_fixes_path(demo_pattern(client)["pattern_key"]), params=params)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", field] and error["msg"], error


def test_a_fix_for_an_unknown_pattern_is_404(client: TestClient) -> None:
    response = client.post(
        _fixes_path("lora=no-such-lora|character=nobody"),
        json={"description": "x", "reported_by": "api-test"},
    )
    assert response.status_code == 404
    assert "not a pattern that exists" in response.json()["detail"]


def test_bad_fixes_and_checks_are_422_naming_the_field(client: TestClient) -> None:
    pattern = demo_pattern(client)
    bad_fix = client.post(
        _fixes_path(pattern["pattern_key"]),
        json={"description": "x", "reported_by": "api-test", "effectiveness": "great"},
    )
    assert bad_fix.status_code == 422
    assert bad_fix.json()["detail"][0]["loc"] == ["body", "effectiveness"]
    blank = client.post(
        _fixes_path(pattern["pattern_key"]), json={"description": "   ", "reported_by": "me"}
    )
    assert blank.status_code == 422
    assert blank.json()["detail"][0]["loc"] == ["body", "description"]
    no_model = client.post("/api/check", json={"workflow": "w01", "scene_type": "action"})
    assert no_model.status_code == 422
    assert no_model.json()["detail"][0]["loc"] == ["body", "model"]
    both = client.post(
        "/api/check",
        json={"workflow": "w01", "model": "m01", "scene_type": "action", "segments": 3,
              "segment_position": 2},
    )  # fmt: skip
    assert both.status_code == 422
    assert both.json()["detail"][0]["loc"] == ["body", "segments"]


@pytest.fixture(scope="module")
def guarded(api_database_url: str) -> Iterator[TestClient]:
    """The API with FAILMAP_API_TOKEN set, called from another machine."""
    app = create_app(database_url=api_database_url, token="s3cret")
    with TestClient(app, client=("10.1.2.3", 50000)) as test_client:
        yield test_client


def test_writes_need_the_bearer_token_when_one_is_set(guarded: TestClient) -> None:
    pattern = demo_pattern(guarded)  # reads stay open
    body = {"description": "x", "reported_by": "api-test"}
    check = {"workflow": "w01", "model": "m01", "scene_type": "action"}
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        fix = guarded.post(_fixes_path(pattern["pattern_key"]), json=body, headers=headers)
        assert fix.status_code == 401, fix.text
        assert "FAILMAP_API_TOKEN" in fix.json()["detail"]
        assert guarded.post("/api/check", json=check, headers=headers).status_code == 401
    good = {"Authorization": "Bearer s3cret"}
    assert guarded.post("/api/check", json=check, headers=good).status_code == 200


def test_without_a_token_writes_come_from_loopback_only(api_database_url: str) -> None:
    app = create_app(database_url=api_database_url, token=None)
    with TestClient(app, client=("10.1.2.3", 50000)) as remote:
        response = remote.post(
            "/api/check", json={"workflow": "w", "model": "m", "scene_type": "s"}
        )
    assert response.status_code == 403
    assert "loopback" in response.json()["detail"]


def test_the_cli_refuses_a_public_address_without_a_token() -> None:
    import click

    from failmap.commands.api import bind_host

    assert bind_host("127.0.0.1", None) == "127.0.0.1"
    assert bind_host("0.0.0.0", "token") == "0.0.0.0"
    with pytest.raises(click.UsageError, match="FAILMAP_API_TOKEN"):
        bind_host("0.0.0.0", None)


@pytest.mark.parametrize(
    ("token", "says"),
    [(None, "listening on loopback (127.0.0.1) only"), ("s3cret", "writes (POST) need")],
)
def test_the_cli_says_at_start_who_may_write(
    fresh_database_url: str,
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,
    token: str | None,
    says: str,
) -> None:
    from click.testing import CliRunner

    from failmap.commands.api import api

    served: dict = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **options: served.update(app=app, **options))
    env = {"FAILMAP_DATABASE_URL": fresh_database_url, "FAILMAP_HOME": str(tmp_path)}
    if token:
        env["FAILMAP_API_TOKEN"] = token
    else:
        monkeypatch.delenv("FAILMAP_API_TOKEN", raising=False)
    result = CliRunner().invoke(api, [], env=env)
    assert result.exit_code == 0, result.output
    assert says in result.output
    assert served["host"] == "127.0.0.1" and served["port"] == 8000
    assert served["app"].state.config.token == token


def test_check_takes_a_position_bucket_as_the_cli_and_dashboard_do(client: TestClient) -> None:
    base = {"workflow": "w01", "model": "m01", "scene_type": "action"}
    for position in ("6+", 7, "7"):
        response = client.post("/api/check", json={**base, "segment_position": position})
        assert response.status_code == 200, (position, response.text)
    bucket = client.post("/api/check", json={**base, "segment_position": "6+"}).json()
    assert [row["position_bucket"] for row in bucket["positions"]] == ["6+"]
    unknown = client.post("/api/check", json={**base, "segment_position": "sixth"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "segment_position"]
