"""The dashboard says so when the database is down, never shows a traceback, and recovers on its
own once the database answers again."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from failmap import database
from tests.conftest import TEMPLATE_DATABASE, with_database
from tests.streamlit_app.conftest import texts


def test_the_dashboard_says_the_database_is_down_and_recovers_when_it_is_back(
    server_url: str, open_page: Callable[..., AppTest]
) -> None:
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = with_database(server_url, name)  # not created yet: every connection is refused

    app = open_page(url)

    assert not app.exception, app.exception
    assert "The database is down or unreachable" in texts(app)
    assert f'database "{name}" does not exist' in texts(app)

    with database.connect(server_url, autocommit=True) as conn:
        conn.execute(f"create database {name} template {TEMPLATE_DATABASE}")
    app.run()

    assert not app.exception, app.exception
    assert "The database is down" not in texts(app)
    assert "No data yet" in texts(app)
