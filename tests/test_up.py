"""`failmap up` starts the database, refresh, Dagster and the dashboard, and Ctrl-C stops all
of it: no process of its tree is left and the embedded database is shut down."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from failmap import database
from tests.failmap.ingest.conftest import score_row, write_csv

pytestmark = pytest.mark.slow


def _exited(process: psutil.Process) -> bool:
    """Gone, or a zombie: it has exited and only its parent's reaping is pending (the postmaster
    is re-parented to the machine's init, which may reap it a moment later)."""
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, data: bytes | None = None) -> bytes:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def test_up_serves_everything_and_ctrl_c_stops_it_all(tmp_path: Path) -> None:
    home, inbox = tmp_path / "h", tmp_path / "inbox"
    inbox.mkdir()
    write_csv(inbox / "quality_scores_1.csv", [score_row(i) for i in range(40)])
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FAILMAP_", "DAGSTER_HOME"))
    }
    env.update({"FAILMAP_HOME": str(home), "FAILMAP_INBOX": str(inbox)})
    dagster_port, streamlit_port = _free_port(), _free_port()
    log = (tmp_path / "up.log").open("w+")
    up = subprocess.Popen(
        [
            "failmap",
            "up",
            "--no-demo",
            "--dagster-port",
            str(dagster_port),
            "--streamlit-port",
            str(streamlit_port),
            "--api-port",
            str(_free_port()),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline and up.poll() is None:
            if "failmap is up" in (tmp_path / "up.log").read_text():
                break
            time.sleep(1)
        output = (tmp_path / "up.log").read_text()
        assert "failmap is up" in output, output
        assert f"http://127.0.0.1:{dagster_port}" in output
        assert f"http://127.0.0.1:{streamlit_port}" in output
        assert "files: 1 loaded" in output

        assert _get(f"http://127.0.0.1:{streamlit_port}/_stcore/health") == b"ok"
        query = json.dumps({"query": "{ assetNodes { assetKey { path } } }"}).encode()
        nodes = json.loads(_get(f"http://127.0.0.1:{dagster_port}/graphql", query))
        paths = {"/".join(n["assetKey"]["path"]) for n in nodes["data"]["assetNodes"]}
        assert {"raw/quality_scores", "marts/data_freshness"} <= paths
        assert database.embedded_status(home / "pgdata") is not None

        tree = [up.pid] + [child.pid for child in psutil.Process(up.pid).children(recursive=True)]
        postmaster_pid = int((home / "pgdata" / "postmaster.pid").read_text().split()[0])
        postmaster = psutil.Process(postmaster_pid)
        assert len(tree) >= 3  # up, dagster dev (+ webserver, daemon, code server), streamlit

        up.send_signal(signal.SIGINT)
        assert up.wait(timeout=90) == 0
        time.sleep(1)
        alive = [
            pid
            for pid in tree
            if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        ]
        assert alive == [], f"left running: {alive}"
        assert _exited(postmaster)
        assert database.embedded_status(home / "pgdata") is None
        assert "embedded PostgreSQL stopped" in (tmp_path / "up.log").read_text()
    finally:
        if up.poll() is None:
            os.killpg(up.pid, signal.SIGKILL)
        database.stop_embedded(home / "pgdata")
