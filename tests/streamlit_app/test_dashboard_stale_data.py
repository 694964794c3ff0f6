"""When no segment has arrived for days, the pages say their "now" is the data's last day."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from lib.notices import STALE_AFTER_DAYS, stale_data_text

from failmap import database
from tests.streamlit_app.conftest import texts

TODAY = dt.date(2026, 12, 7)


def test_stale_data_text() -> None:
    assert stale_data_text(None, TODAY) is None
    recent = dt.datetime(2026, 12, 7 - STALE_AFTER_DAYS, 23, tzinfo=dt.UTC)
    assert stale_data_text(recent, TODAY) is None
    text = stale_data_text(dt.datetime(2026, 8, 22, 9, tzinfo=dt.UTC), TODAY)
    assert text is not None
    assert "No segment since **2026-08-22** (107 days ago)" in text


def test_overview_and_patterns_warn_when_the_data_stopped(open_page, demo_url) -> None:
    app = open_page(demo_url)
    assert "No segment since" not in texts(app)  # the demo data ends yesterday
    with database.connect(demo_url) as conn:
        conn.execute(
            "update marts.data_freshness set last_evaluated_at = now() - interval '10 days'"
        )
    st.cache_data.clear()  # the pages cache what they read for CACHE_SECONDS
    for page in ("app_pages/overview.py", "app_pages/patterns.py"):
        app = open_page(demo_url, page)
        assert not app.exception
        warning = next(w.value for w in app.warning if "No segment since" in w.value)
        assert "(10 days ago)" in warning
