"""The fix form's messages: the core's field errors named as the form names its fields."""

from __future__ import annotations

from lib.fixes import problems_of
from lib.text import md_escape

from failmap.fixes import FixValidationError


def test_core_errors_name_the_forms_fields_in_safe_markdown() -> None:
    problems = problems_of(
        FixValidationError(
            {
                "description": "required: give a non-empty text",
                "reported_by": "at most 200 characters, got 201",
                "parameters": 'not valid JSON; give an object such as {"cfg_scale": 6}',
            }
        )
    )
    assert [problem.split(":")[0] for problem in problems] == [
        "What you changed",
        "Your name",
        "Parameters",
    ]
    assert problems[2].endswith(md_escape('{"cfg_scale": 6}'))


def test_markdown_escaping_shows_data_as_typed() -> None:
    escaped = md_escape("[x](u) **b** :red[r] $x$ <b>")
    assert "[" not in escaped.replace("\\[", "")
    assert escaped.replace("\\", "") == "[x](u) **b** :red[r] $x$ <b>"
