"""Fixtures for the browser tests: `streamlit run` on a loopback port, driven by Debian's chromium.

The app runs as its own process (as `failmap up` runs it) against a copy of the built demo
database; Playwright drives /usr/bin/chromium (never a downloaded browser). Screenshots go to
tests/browser/screenshots/ (git-ignored).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.streamlit_app.dashboard_database import copy_of, demo_template

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
APP = REPO_ROOT / "streamlit_app" / "streamlit_app.py"
STARTUP_SECONDS = 60


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`, "
        "as .ci/run does) to run the browser tests"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read() == b"ok"
    except OSError:
        return False


@contextlib.contextmanager
def served(
    command: list[str], env: dict[str, str], log_path: Path, ready: Callable[[], bool], name: str
) -> Iterator[None]:
    """Run the server `command` from the repository root (in its own session, output in
    `log_path`) until the block ends; enter once `ready()`. A server that exits or is not ready
    within STARTUP_SECONDS fails the test with its log."""
    with log_path.open("w+") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while not ready():
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"{name} did not start:\n{log.read()}")
                time.sleep(0.3)
            yield
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture(scope="module")
def browser_database_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the built demo database for this module's app."""
    template = demo_template(server_url, tmp_path_factory.mktemp("dashboard"))
    return copy_of(server_url, template)


@pytest.fixture(scope="module")
def app_url(browser_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of the dashboard served by `streamlit run` on a free loopback port."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    port = _free_port()
    home = tmp_path_factory.mktemp("home")
    env = {
        **os.environ,
        "FAILMAP_DATABASE_URL": browser_database_url,
        "FAILMAP_HOME": str(home),
        "FAILMAP_GX_VALIDATIONS_DIR": str(home / "validations"),
    }
    url = f"http://127.0.0.1:{port}"
    with served(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(APP),
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        env,
        home / "streamlit.log",
        lambda: _healthy(url),
        "streamlit",
    ):
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian chromium driven by Playwright."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _tab(browser, width: int, height: int) -> Iterator[object]:
    """A fresh browser tab of `width` x `height` px, closed after the test."""
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A fresh browser tab, tall enough that a page fits one screenshot."""
    yield from _tab(browser, 1400, 1800)


@pytest.fixture
def wide(browser) -> Iterator[object]:
    """A tab the size of a laptop screen: 1440x900."""
    yield from _tab(browser, 1440, 900)


def screenshot(page, name: str) -> Path:
    """Save the tab to tests/browser/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
