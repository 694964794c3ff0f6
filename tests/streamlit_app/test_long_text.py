"""Previews of long text in tables: whole when it fits, cut at a word with "…" when not."""

from __future__ import annotations

import pandas as pd
from lib.long_text import ELLIPSIS, characters_for, chosen_row, joined, preview


def test_text_that_fits_is_shown_whole() -> None:
    assert preview("Lowered CFG to 6.5", 200) == "Lowered CFG to 6.5"


def test_long_text_is_cut_at_a_word_and_says_so() -> None:
    text = "Lowered CFG from 7.5 to 6.5 on every action scene and added a face-restore pass"
    shown = preview(text, 150)
    assert shown.endswith(ELLIPSIS) and len(shown) <= characters_for(150)
    assert text.startswith(shown.removesuffix(ELLIPSIS))
    assert text[len(shown) - 1] == " "  # cut between words


def test_only_the_first_line_is_previewed_and_more_lines_are_announced() -> None:
    assert preview("Traceback (most recent call last):\n  File x", 400) == (
        f"Traceback (most recent call last){ELLIPSIS}"
    )


def test_missing_text_previews_as_empty() -> None:
    assert preview(None, 200) == "" and preview(float("nan"), 200) == ""


def test_a_list_cell_reads_as_one_line() -> None:
    assert joined(["flicker", None, "color drift"]) == "flicker · color drift"
    assert joined(None) == ""


def test_the_chosen_row_is_none_until_a_row_is_selected() -> None:
    frame = pd.DataFrame({"message": ["a", "b"]})
    assert chosen_row({"selection": {"rows": []}}, frame) is None
    assert chosen_row({"selection": {"rows": [1]}}, frame)["message"] == "b"
