"""Nobody can make the API do unbounded work or use a privileged login: bodies over 1 MB are 413,
a fix's parameters are capped however they arrive, paging offsets are capped, the API connects
as failmap_api, and `failmap api` starts while its database is down (503 until it is up)."""

from __future__ import annotations

import socket
import subprocess
import time
import uuid
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from failmap import database
from failmap.api import create_app
from failmap.api.limits import MAX_BODY_BYTES
from failmap.fixes import FixValidationError, record_fix
from failmap.roles import API_ROLE
from tests.conftest import TEMPLATE_DATABASE, subprocess_env, with_database


@pytest.fixture(scope="module")
def client(empty_database_url: str) -> Iterator[TestClient]:
    app = create_app(database_url=empty_database_url, token=None)
    with TestClient(app, client=("127.0.0.1", 50000)) as test_client:
        yield test_client


def test_the_api_connects_as_its_own_role(client: TestClient) -> None:
    with client.app.state.database.connection() as conn:  # type: ignore[attr-defined]
        assert conn.execute("select current_user").fetchone() == (API_ROLE,)


def test_a_body_over_the_limit_is_413(client: TestClient) -> None:
    body = b'{"workflow": "' + b"w" * MAX_BODY_BYTES + b'"}'

    response = client.post("/api/check", content=body, headers={"content-type": "application/json"})

    assert response.status_code == 413
    assert "1,000,000 bytes" in response.json()["detail"]


def test_a_chunked_body_over_the_limit_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"workflow": "'
        for _ in range(20):
            yield b"w" * 100_000
        yield b'"}'

    response = client.post(
        "/api/check", content=chunks(), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413


def test_an_offset_past_the_cap_is_422(client: TestClient) -> None:
    response = client.get("/api/analytics/failure-patterns", params={"offset": 100_001})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "offset"


def test_a_fix_s_parameters_are_capped_when_given_as_an_object(conn: psycopg.Connection) -> None:
    with pytest.raises(FixValidationError) as raised:
        record_fix(
            conn,
            pattern_key="not a key",  # every problem is reported at once, without a lookup
            description="lower the LoRA weight",
            reported_by="ann",
            parameters={"prompt": "x" * 30_000},
        )

    assert "at most 20000 characters" in raised.value.errors.get("parameters", ""), (
        raised.value.errors
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _health(port: int) -> int | None:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5).status_code
    except httpx.HTTPError:
        return None


def _until(port: int, wanted: int, timeout: float = 90) -> int | None:
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        status = _health(port)
        if status == wanted:
            return status
        time.sleep(0.5)
    return status


@pytest.mark.slow
def test_failmap_api_starts_while_its_database_is_down_and_answers_once_it_is_up(
    server_url: str, tmp_path
) -> None:
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = with_database(server_url, name)  # not created yet: the server refuses connections
    port = _free_port()
    env = subprocess_env({"FAILMAP_DATABASE_URL": url, "FAILMAP_HOME": str(tmp_path / "home")})
    process = subprocess.Popen(
        ["failmap", "api", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert _until(port, 503) == 503
        with database.connect(server_url, autocommit=True) as conn:
            conn.execute(f"create database {name} template {TEMPLATE_DATABASE}")

        assert _until(port, 200) == 200
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "Requests answer 503 until it is up" in output
