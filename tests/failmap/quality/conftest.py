"""A warehouse that satisfies every suite, in a fresh database per test, and a private GX context.

The GX context is rendered into a temporary folder once per module, so validation results and
Data Docs written by the tests never land in the repository's `expectations/uncommitted/`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from failmap import database
from failmap.quality.scaffold import write_context

GOOD_DATA = Path(__file__).with_name("good_data.sql")


def seed_good_data(url: str) -> None:
    with database.connect(url) as conn:
        conn.execute(GOOD_DATA.read_text(encoding="utf-8"))  # type: ignore[arg-type]


def execute(url: str, sql: str) -> None:
    with database.connect(url) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def gx_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gx")
    write_context(root)
    return root


@pytest.fixture
def good_database_url(fresh_database_url: str) -> str:
    seed_good_data(fresh_database_url)
    return fresh_database_url
