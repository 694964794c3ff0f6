"""The dashboard in a real browser: every page opens, a heatmap cell drills down, a fix is listed.

`streamlit run` serves the app on a loopback port against a copy of the built demo database;
Playwright drives Debian's chromium. Screenshots of each step land in tests/browser/screenshots/.
"""

from __future__ import annotations

import pytest

from failmap import database
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

# (url path, page title): the navigation's url paths come from the page file names.
PAGES = (
    ("", "Overview"),
    ("patterns", "Patterns"),
    ("heatmaps", "Heatmaps"),
    ("trends", "Trends"),
    ("check", "Check a configuration"),
    ("errors", "Errors"),
    ("data_quality", "Data quality"),
)
# A test run once per page, with its url path and title, named by the title.
every_page = pytest.mark.parametrize(("path", "title"), PAGES, ids=[title for _, title in PAGES])
EXCEPTION = '[data-testid="stException"]'


def open_page(page, app_url: str, path: str, title: str) -> None:
    """Load a page and wait until its script has finished and its tables have rendered."""
    page.goto(f"{app_url}/{path}")
    page.locator("h1", has_text=title).wait_for()
    settle(page)


def settle(page) -> None:
    """Wait until the script run is over and no element is still a loading skeleton."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')")


@every_page
def test_every_page_opens_without_an_exception(page, app_url: str, path: str, title: str) -> None:
    open_page(page, app_url, path, title)
    screenshot(page, f"page-{path or 'overview'}")
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()
    assert page.get_by_text("Period").first.is_visible()  # the sidebar's date range


def test_clicking_a_heatmap_cell_shows_its_failing_segments(page, app_url: str) -> None:
    open_page(page, app_url, "heatmaps", "Heatmaps")
    cell = page.locator(
        '[data-testid="stVegaLiteChart"] .mark-rect path'
        '[aria-label^="Character: c12; Scene type: action;"]'
    )
    assert cell.count() == 1
    cell.scroll_into_view_if_needed()
    box = cell.bounding_box()
    # Click where a creator would: the middle of the cell (on its label).
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_text("Failing segments: Character c12 + action scenes").wait_for()
    settle(page)
    rows = page.locator('[data-testid="stDataFrame"] [role="gridcell"]', has_text="c12")
    rows.first.wait_for(state="attached")  # the grid's accessible cells are not painted
    assert rows.count() > 0
    assert page.locator(EXCEPTION).count() == 0
    screenshot(page, "heatmap-drilldown")


def test_a_fix_submitted_in_the_browser_is_listed_and_stored(
    page, app_url: str, browser_database_url: str
) -> None:
    open_page(page, app_url, "patterns", "Patterns")
    # A pattern's fixes and form show once its row is ticked, as a person does.
    grid = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    page.mouse.click(grid["x"] + 15, grid["y"] + 35 + 17)
    page.get_by_role("button", name="Record fix").wait_for()
    settle(page)
    description = "Added a face-restore pass for c12 close-ups <b>(browser test)</b>"
    page.get_by_role("textbox", name="What did you change?").fill(description)
    page.get_by_role("textbox", name="Your name").fill("Browser Tester")
    page.get_by_role("button", name="Record fix").click()
    page.get_by_text("recorded for").wait_for()
    settle(page)
    listed = page.locator('[data-testid="stDataFrame"] [role="gridcell"]', has_text=description)
    listed.first.wait_for(state="attached")
    screenshot(page, "fix-recorded")
    assert page.get_by_role("textbox", name="What did you change?").input_value() == ""
    with database.connect(browser_database_url) as conn:
        stored = conn.execute(
            "select fix_description, reported_by from app.pattern_fixes"
        ).fetchall()
    assert stored == [(description, "Browser Tester")]
    assert page.locator("b", has_text="(browser test)").count() == 0  # text, never markup


def test_data_quality_page_summarizes_the_quarantine_beside_the_checks(page, app_url: str) -> None:
    open_page(page, app_url, "data_quality", "Data quality")
    checks = page.get_by_role("heading", name="Checks (Great Expectations)")
    quarantine = page.get_by_role("heading", name="Quarantine by rule")
    beside = checks.bounding_box(), quarantine.bounding_box()
    assert abs(beside[0]["y"] - beside[1]["y"]) < 5 and beside[0]["x"] < beside[1]["x"]
    rule = page.locator(
        '[data-testid="stDataFrame"] [role="gridcell"]', has_text="score is above the maximum 1"
    )
    rule.first.wait_for(state="attached")
    assert page.locator(EXCEPTION).count() == 0
    screenshot(page, "data-quality")
