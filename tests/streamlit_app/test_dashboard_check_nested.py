"""The check page on a configuration that fares better within its broad pattern.

The suite of tests/failmap/alerts/nested_suite.py: the workflow pattern is `high`, its 25 %
model is not worse than typical, so the check does not take the pattern's severity and says why.
"""

from __future__ import annotations

import pytest

from tests.failmap.alerts.nested_suite import build_nested_database
from tests.streamlit_app.conftest import texts


@pytest.fixture(scope="module")
def nested_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    # The prediction models, and the freshness every page reads first.
    return build_nested_database(
        server_url,
        tmp_path_factory.mktemp("nested_target"),
        select=("+prediction_parameters", "+failure_patterns", "+data_freshness"),
    )


def test_a_configuration_that_fares_better_within_its_pattern_says_so(
    open_page, nested_url: str
) -> None:
    app = open_page(nested_url, "app_pages/check.py")
    assert not app.exception, app.exception
    assert app.selectbox, texts(app)
    for key, value in (
        ("check_workflow", "suite"),
        ("check_model", "low"),
        ("check_scene_type", "scene07"),
    ):
        app.selectbox(key=key).set_value(value)
    app.number_input(key="check_segment_position").set_value(1)
    app.button(key="check_submit").click().run()
    assert not app.exception
    shown = texts(app)
    assert "Workflow suite fails" in shown
    assert "This configuration fares better within it: about 2" in shown
    assert "High risk" not in shown
