"""The Data quality page lists open warnings about delivered files, even when no row loaded, and
a person acknowledges one there."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from failmap import database
from failmap.quality.judgements import file_warnings, judge_new_files
from tests.streamlit_app.conftest import texts

PAGE = "app_pages/data_quality.py"


def test_an_open_warning_is_shown_and_can_be_acknowledged(
    fresh_database_url: str, open_page: Callable[..., AppTest]
) -> None:
    with database.connect(fresh_database_url) as conn:
        conn.execute(
            "insert into raw.ingested_files (file_name, file_kind, sha256, size_bytes, status, "
            "rows_in_file, rows_loaded, rows_quarantined) values ('quality_scores_*new*.csv', "
            "'quality_scores', 'sha-bad', 1, 'loaded', 70, 0, 70)"
        )
        conn.commit()
        judge_new_files(conn, "quality_scores")
        conn.commit()

    app = open_page(fresh_database_url, PAGE)

    assert not app.exception, app.exception
    assert "1 delivered file had more rows quarantined than expected" in texts(app), texts(app)
    assert app.dataframe[0].value["file_name"].tolist() == ["quality_scores_*new*.csv"]
    app.text_input[0].input("ann")
    app.button[0].click()
    app.run()

    assert not app.exception, app.exception
    assert "Acknowledged: quality_scores_*new*.csv: 70 of 70 rows quarantined" in texts(app)
    assert "Open warnings" not in texts(app)
    assert file_warnings(fresh_database_url) == []
