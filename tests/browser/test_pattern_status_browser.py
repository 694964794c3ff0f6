"""The Patterns page at 1440x900 shows a pattern's status and its top reasons (issues 12, 13).

A creator ticks the first pattern (the costliest current one): its status badge reads "<status>
since <day>", and its top failure reasons and failing checks are listed with their shares, none
of it reading `None`.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_dashboard_browser import settle

pytestmark = pytest.mark.browser

GRID = '[data-testid="stDataFrame"]'
BADGE = re.compile(r"(Emerging|Active|Resolved) since [A-Z][a-z]{2} \d{2}(, \d{4})?")
# A day of another year carries it ("since Dec 20, 2025": demo data run in January).
STATUS = re.compile(r"^(Emerging|Active|Resolved) since [A-Z][a-z]{2} \d{2}(, \d{4})?$")


def test_a_pattern_shows_its_status_badge_and_reasons_without_none(wide, app_url: str) -> None:
    wide.goto(f"{app_url}/patterns")
    wide.locator("h1", has_text="Patterns").wait_for()
    settle(wide)
    # The list's Status column: every row says what the pattern does now and since when.
    statuses = wide.locator(f'{GRID} [role="gridcell"]', has_text=" since ")
    statuses.first.wait_for(state="attached")
    assert all(STATUS.match(text.strip()) for text in statuses.all_text_contents())
    # Tick the first row's box, as a person does.
    grid = wide.locator(GRID).first.bounding_box()
    wide.mouse.click(grid["x"] + 15, grid["y"] + 35 + 17)
    wide.get_by_text("Top failure reasons", exact=True).wait_for()
    settle(wide)

    # The badge above the description (an icon, then the words).
    badge = wide.locator('[data-testid="stMarkdownContainer"]', has_text=BADGE).first
    badge.wait_for()
    assert badge.is_visible()
    # The reasons table: each reason beside its share of the failures.
    reasons = wide.locator(GRID).filter(
        has=wide.locator('[role="columnheader"]', has_text="Share of failures")
    )
    reasons.first.locator('[role="gridcell"]').first.wait_for(state="attached")
    reason_cells = reasons.first.locator('[role="gridcell"]').all_text_contents()
    assert [cell for cell in reason_cells if cell.strip()], reason_cells
    assert wide.get_by_text("Top failing checks", exact=True).is_visible()
    screenshot(wide, "pattern-status-and-reasons")
    text = wide.locator('[data-testid="stMain"]').inner_text()
    cells = wide.locator(f'{GRID} [role="gridcell"]').all_text_contents()
    assert "None" not in text
    assert not [cell for cell in cells if cell.strip() in ("None", "nan", "NaT")]
