"""`failmap up`: the whole product on one machine, stopped cleanly with Ctrl-C.

Each service (Dagster webserver + daemon, Streamlit, the API, the warm run worker) runs in its
own process group, so stopping a group stops every process it spawned; the embedded database is
stopped last. The run worker only makes runs start faster: if it fails, runs start as Dagster
starts them by default and everything else stays up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from failmap import database
from failmap.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
STREAMLIT_APP = REPO_ROOT / "streamlit_app" / "streamlit_app.py"
WORKSPACE = REPO_ROOT / "workspace.yaml"
STARTUP_TIMEOUT_SECONDS = 180


@dataclass
class Service:
    name: str
    url: str
    healthy: Callable[[], bool]
    process: subprocess.Popen[bytes]
    log: Path
    required: bool = True  # False: its exit is reported, and everything else stays up
    exited: bool = False


def _start(
    name: str,
    args: list[str],
    log: Path,
    url: str,
    healthy: Callable[[], bool],
    *,
    required: bool = True,
) -> Service:
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = log.open("ab")
    process = subprocess.Popen(
        args,
        cwd=REPO_ROOT,
        stdout=handle,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    return Service(name, url, healthy, process, log, required)


def _http_ok(url: str) -> Callable[[], bool]:
    def healthy() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    return healthy


def _run_worker_ready(path: Path) -> Callable[[], bool]:
    from failmap.runtime import run_worker

    def healthy() -> bool:
        try:
            return bool(run_worker.request(path, {"ping": True}, timeout=2).get("ready"))
        except (OSError, ValueError, AttributeError):
            return False

    return healthy


def stop_service(service: Service, timeout: float = 15) -> None:
    """SIGTERM the service's whole process group, SIGKILL what is left after `timeout`."""
    try:
        os.killpg(service.process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(service.process.pid, 0)
        except ProcessLookupError:
            break
        service.process.poll()
        time.sleep(0.2)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(service.process.pid, signal.SIGKILL)
    service.process.wait()


def _wait_until_healthy(services: list[Service], echo: Callable[[str], None]) -> bool:
    pending = list(services)
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while pending and time.monotonic() < deadline:
        for service in list(pending):
            if service.process.poll() is not None:
                echo(f"{service.name} exited during start-up; see {service.log}")
                if service.required:
                    return False
                service.exited = True
                pending.remove(service)
                continue
            if service.healthy():
                echo(f"  {service.name} ready: {service.url}")
                pending.remove(service)
        time.sleep(1)
    for service in pending:
        echo(f"{service.name} did not answer within {STARTUP_TIMEOUT_SECONDS} s; see {service.log}")
    return not [service for service in pending if service.required]


def run_up(
    settings: Settings,
    *,
    dagster_port: int,
    streamlit_port: int,
    demo: bool,
    api_port: int = 8000,
    echo: Callable[[str], None] = print,
) -> int:
    """Start everything, print where to look, block until Ctrl-C, stop everything. Exit code."""
    from failmap.ingest import pending_files
    from failmap.pipeline import prepare_environment, refresh_with_progress
    from failmap.runtime import run_worker

    settings.home.mkdir(parents=True, exist_ok=True)
    settings.inbox.mkdir(parents=True, exist_ok=True)
    started_embedded = False
    if settings.uses_embedded_database:
        was_running = database.embedded_status(settings.pgdata) is not None
        url = database.start_embedded(settings.pgdata)
        started_embedded = not was_running
        echo(f"embedded PostgreSQL {'started' if started_embedded else 'already running'}: {url}")
    else:
        url = settings.database_url or ""
        with database.connect(url):
            echo(f"using PostgreSQL at {database.redact(url)}")
    services: list[Service] = []
    stopping = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous: dict[signal.Signals, Any] = {}
    try:
        prepare_environment(settings, url, echo=echo)
        if demo and not pending_files(settings.inbox):
            from failmap.demo import write_demo_data

            echo(f"inbox {settings.inbox} is empty: writing demo data into it ...")
            summary = write_demo_data(settings.inbox)
            echo(
                f"  wrote {len(summary.files)} demo files: {summary.segment_count:,} segments, "
                f"{summary.job_count:,} runs (see docs/demo-data.md for what is planted)"
            )
        logs = settings.logs
        # The dashboard and the API need nothing from the refresh but its tables (which dbt
        # swaps in whole): they start now, so their start-up overlaps the refresh, and the
        # dashboard answers as soon as it ends. Dagster starts after it: its sensor would see
        # the same files, and its three processes' imports would slow the refresh down.
        echo("starting the dashboard and the API ...")
        services.append(
            _start(
                "Dashboard",
                [
                    sys.executable,
                    "-m",
                    "streamlit",
                    "run",
                    str(STREAMLIT_APP),
                    "--server.address",
                    "127.0.0.1",
                    "--server.port",
                    str(streamlit_port),
                    "--server.headless",
                    "true",
                    "--browser.gatherUsageStats",
                    "false",
                ],
                logs / "streamlit.log",
                f"http://127.0.0.1:{streamlit_port}",
                _http_ok(f"http://127.0.0.1:{streamlit_port}/_stcore/health"),
            )
        )
        services.append(
            _start(
                "API",
                [sys.executable, "-m", "failmap.cli", "api", "--port", str(api_port)],
                logs / "api.log",
                f"http://127.0.0.1:{api_port}/docs",
                _http_ok(f"http://127.0.0.1:{api_port}/api/health"),
            )
        )
        refresh_with_progress(echo=echo, log_dir=settings.logs)
        # From here on Ctrl-C (or SIGTERM) means "stop the services", handled in the loop below.
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, request_stop)
        echo("starting Dagster (webserver + daemon) ...")
        services.append(
            _start(
                "Dagster UI",
                [
                    sys.executable,
                    "-m",
                    "dagster",
                    "dev",
                    "-w",
                    str(WORKSPACE),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(dagster_port),
                ],
                logs / "dagster.log",
                f"http://127.0.0.1:{dagster_port}",
                _http_ok(f"http://127.0.0.1:{dagster_port}/server_info"),
            )
        )
        worker_socket = run_worker.socket_path(settings.dagster_home)
        if len(str(worker_socket)) <= run_worker.MAX_SOCKET_PATH:
            services.append(
                _start(
                    "Run worker",
                    [sys.executable, "-m", "failmap.runtime.run_worker", str(worker_socket)],
                    logs / "run_worker.log",
                    str(worker_socket),
                    _run_worker_ready(worker_socket),
                    required=False,
                )
            )
        else:
            echo(f"  runs start cold: {worker_socket} is too long a path for a Unix socket")
        if not _wait_until_healthy(services, echo):
            return 1
        echo("")
        echo("failmap is up:")
        for service in services:
            if not service.exited:
                echo(f"  {service.name:<12} {service.url}")
        echo(f"  inbox        {settings.inbox}  (drop quality_scores*/runs* files here)")
        echo(f"  logs         {settings.logs}")
        echo("press Ctrl-C to stop everything")
        while not stopping:
            for service in services:
                if not service.exited and service.process.poll() is not None:
                    echo(f"{service.name} stopped unexpectedly; see {service.log}")
                    if service.required:
                        return 1
                    service.exited = True
            time.sleep(0.5)
        return 0
    finally:
        if services:
            echo("stopping services ...")
        for service in services:
            stop_service(service)
        if started_embedded:
            database.stop_embedded(settings.pgdata)
            echo("embedded PostgreSQL stopped")
        for sig, handler in previous.items():
            signal.signal(sig, handler)
