"""The API's documentation renders in a browser that cannot reach the internet."""

from __future__ import annotations

import os
import sys
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import CHROMIUM, _free_port, screenshot, served

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API app served by uvicorn on a free loopback port; its docs need no database."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    port = _free_port()
    home = tmp_path_factory.mktemp("api_home")
    env = {
        **os.environ,
        "FAILMAP_HOME": str(home),
        "FAILMAP_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
    }
    url = f"http://127.0.0.1:{port}"
    with served(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "failmap.api.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env,
        home / "api.log",
        lambda: _answers(f"{url}/openapi.json"),
        "the API",
    ):
        yield url


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


def offline_tab(browser, blocked: list[str]):
    """A tab whose requests to anything but loopback fail, as on a studio network."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})

    def route(request_route) -> None:
        host = urlparse(request_route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            request_route.continue_()
        else:
            blocked.append(f"{request_route.request.resource_type} {request_route.request.url}")
            request_route.abort()

    context.route("**/*", route)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    return context, tab


def test_swagger_ui_renders_every_route_offline(browser, api_url: str) -> None:
    blocked: list[str] = []
    context, tab = offline_tab(browser, blocked)
    try:
        tab.goto(api_url)  # the root redirects to the docs
        assert urlparse(tab.url).path == "/docs"
        tab.locator(".opblock").first.wait_for()
        assert tab.locator(".opblock").count() >= 10
        assert "failmap API" in tab.locator(".title").first.inner_text()
        screenshot(tab, "api_docs")
    finally:
        context.close()
    assert blocked == []


def test_redoc_renders_offline(browser, api_url: str) -> None:
    blocked: list[str] = []
    context, tab = offline_tab(browser, blocked)
    try:
        tab.goto(f"{api_url}/redoc")
        tab.get_by_text("failmap API").first.wait_for()
        tab.locator("[data-section-id]").first.wait_for()
        assert tab.locator("[data-section-id]").count() >= 10
    finally:
        context.close()
    # ReDoc's "API docs by Redocly" badge links an image on its CDN; nothing else may go out.
    assert [url for url in blocked if not url.startswith("image ")] == []
