"""The sensor path end to end under a real Dagster daemon: while `failmap up` runs, a file dropped
into the inbox leads, with nothing else done, to refreshed marts (and metrics that say so), in a
run forked from the warm run worker."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest

from failmap.metrics.collector import read_snapshot
from failmap.runtime.run_launcher import WORKER_PID_TAG
from tests.failmap.ingest.conftest import score_row, write_csv

pytestmark = pytest.mark.slow

UP_TIMEOUT = 420
REFRESH_TIMEOUT = 300
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _freshness(url: str) -> tuple[int, float] | None:
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute(
                "select files_loaded_count, extract(epoch from last_file_loaded_at)::float8 "
                "from marts.data_freshness"
            ).fetchone()
    except psycopg.Error:
        return None


def _sensor_runs(port: int) -> list[dict]:
    query = (
        '{ runsOrError(filter: {pipelineName: "refresh"}) { ... on Runs { results { '
        "runId status tags { key value } } } } }"
    )
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]["runsOrError"]["results"]


def _tags(run: dict) -> dict[str, str]:
    return {tag["key"]: tag["value"] for tag in run["tags"]}


def test_a_dropped_file_refreshes_the_marts_through_the_sensor(tmp_path: Path) -> None:
    home, inbox = tmp_path / "h", tmp_path / "inbox"
    inbox.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAILMAP_", "DAGSTER_HOME"))}
    env.update({"FAILMAP_HOME": str(home), "FAILMAP_INBOX": str(inbox)})
    dagster_port = _free_port()
    log_path = tmp_path / "up.log"
    up = subprocess.Popen(
        [
            "failmap",
            "up",
            "--no-demo",
            "--dagster-port",
            str(dagster_port),
            "--streamlit-port",
            str(_free_port()),
        ],
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + UP_TIMEOUT
        while time.monotonic() < deadline and up.poll() is None:
            if "failmap is up" in log_path.read_text():
                break
            time.sleep(1)
        assert "failmap is up" in log_path.read_text(), log_path.read_text()[-3000:]
        socket_dir = (home / "pgdata" / "postmaster.pid").read_text().splitlines()[4]
        url = f"postgresql://postgres@/postgres?host={socket_dir}"
        assert _freshness(url) == (0, None)  # the start-up refresh built empty marts

        partial = inbox / ".quality_scores_sensor.csv.part"
        write_csv(partial, [score_row(i) for i in range(40)])
        dropped_at = time.time()
        partial.rename(inbox / "quality_scores_sensor.csv")

        deadline = time.monotonic() + REFRESH_TIMEOUT
        while time.monotonic() < deadline and (_freshness(url) or (0,))[0] < 1:
            time.sleep(1)
        latency = time.time() - dropped_at
        files_loaded, last_file_loaded_at = _freshness(url) or (0, 0.0)
        assert files_loaded == 1, f"no refresh {REFRESH_TIMEOUT} s after the drop"
        assert last_file_loaded_at >= dropped_at - 1
        print(f"file drop -> refreshed marts: {latency:.0f} s")

        # The freshness mart is built mid-run (checks and exports follow): wait for the run's end.
        # The start-up refresh of `failmap up` is a run of the same job, without the sensor's tag.
        deadline = time.monotonic() + REFRESH_TIMEOUT
        while True:
            runs = _sensor_runs(dagster_port)
            if all(run["status"] in FINISHED for run in runs) or time.monotonic() > deadline:
                break
            time.sleep(1)
        by_sensor = [run for run in runs if _tags(run).get("dagster/sensor_name") == "inbox_sensor"]
        assert [run["status"] for run in by_sensor] == ["SUCCESS"], runs
        assert _tags(by_sensor[0])["failmap/new_files"] == "1"
        # Started by forking the warm run worker, and so was the run's dbt build.
        assert WORKER_PID_TAG in _tags(by_sensor[0])
        worker_log = (home / "logs" / "run_worker.log").read_text()
        assert f"run worker: run in pid {_tags(by_sensor[0])[WORKER_PID_TAG]}" in worker_log
        assert "run worker: dbt build in pid" in worker_log

        samples = read_snapshot(url).samples
        assert samples["failmap_last_file_loaded_timestamp_seconds"] == [
            ((), pytest.approx(last_file_loaded_at))
        ]
        assert samples["failmap_segments"] == [((), 20.0)]
    finally:
        if up.poll() is None:
            os.killpg(up.pid, signal.SIGINT)
            try:
                up.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(up.pid, signal.SIGKILL)
