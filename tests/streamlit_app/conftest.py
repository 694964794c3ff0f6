"""Fixtures for the dashboard's AppTest tests: a built demo database and a fresh app per test.

AppTest runs the pages in this process, so the app's directory goes on sys.path (as under
`streamlit run`), FAILMAP_DATABASE_URL points at the test's database, and Streamlit's caches are
cleared around every test (a cached engine or read must never leak into another database).
"""

from __future__ import annotations

import gc
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO_ROOT
from tests.streamlit_app.dashboard_database import copy_of, demo_template

APP_DIR = REPO_ROOT / "streamlit_app"
APP = APP_DIR / "streamlit_app.py"
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

# Every page: (file under streamlit_app/, its title).
PAGES = (
    ("app_pages/overview.py", "Overview"),
    ("app_pages/patterns.py", "Patterns"),
    ("app_pages/heatmaps.py", "Heatmaps"),
    ("app_pages/trends.py", "Trends"),
    ("app_pages/check.py", "Check a configuration"),
    ("app_pages/errors.py", "Errors"),
    ("app_pages/data_quality.py", "Data quality"),
)
# A test run once per page, with the page's file and title, named by the title.
every_page = pytest.mark.parametrize(("page", "title"), PAGES, ids=[title for _, title in PAGES])


@pytest.fixture(scope="session")
def demo_database(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Name of the session's built demo database (a template: never connect to it)."""
    return demo_template(server_url, tmp_path_factory.mktemp("dashboard"))


@pytest.fixture(scope="module")
def demo_url(server_url: str, demo_database: str) -> str:
    """This module's own copy of the built demo database."""
    return copy_of(server_url, demo_database)


def _clear_streamlit_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def open_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., AppTest]]:
    """open_page(url, page) runs the app against database `url` on `page` and returns it."""
    monkeypatch.setenv("FAILMAP_HOME", str(tmp_path / "home"))
    # No Great Expectations results unless a test writes some.
    monkeypatch.setenv("FAILMAP_GX_VALIDATIONS_DIR", str(tmp_path / "validations"))
    _clear_streamlit_caches()

    def open_(url: str, page: str = "app_pages/overview.py") -> AppTest:
        monkeypatch.setenv("FAILMAP_DATABASE_URL", url)
        # Earlier tests' garbage is collected here, in the thread that made it, not in the
        # script thread while Streamlit parses the page: CPython 3.11's `ast.parse` keeps one
        # recursion counter, and a finalizer that logs a traceback (an SQLite connection closed
        # from another thread) parses inside it: "AST constructor recursion depth mismatch".
        gc.collect()
        app = AppTest.from_file(str(APP), default_timeout=60)
        app.run()
        if page != "app_pages/overview.py":
            app.switch_page(page)
            app.run()
        return app

    yield open_
    _clear_streamlit_caches()


def texts(app: AppTest) -> str:
    """Everything the page wrote as text (markdown, captions, alerts, titles), one string, with
    the markdown escapes of data values (lib.text.md_escape) undone."""
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "success",
        "warning",
        "error",
    ):
        parts += [str(element.value) for element in getattr(app, kind)]
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))
