"""The fix form's rules, without a database: required fields, limits, JSON, known patterns."""

from __future__ import annotations

import pytest
from lib.fixes import (
    MAX_DESCRIPTION_CHARS,
    MAX_REPORTER_CHARS,
    FixInput,
    FixInvalid,
    validate_fix,
)
from lib.text import md_escape

KNOWN = {"model=m03|scene_type=action"}


def _fix(**overrides) -> FixInput:
    values = {
        "pattern_key": "model=m03|scene_type=action",
        "description": "Switched action scenes to m01",
        "reported_by": "Ann",
    }
    return FixInput(**{**values, **overrides})


def _problems(fix: FixInput) -> str:
    with pytest.raises(FixInvalid) as raised:
        validate_fix(fix, KNOWN)
    return " | ".join(raised.value.problems)


def test_a_complete_fix_is_valid_and_its_parameters_parsed() -> None:
    assert validate_fix(_fix(parameters='{"cfg_scale": 6.5}'), KNOWN) == {"cfg_scale": 6.5}
    assert validate_fix(_fix(effectiveness="resolved"), KNOWN) is None


def test_description_and_reporter_are_required_and_limited() -> None:
    assert "description is required" in _problems(_fix(description=" \n "))
    assert "name is required" in _problems(_fix(reported_by=""))
    too_long = _problems(_fix(description="x" * (MAX_DESCRIPTION_CHARS + 1)))
    assert f"the limit is {MAX_DESCRIPTION_CHARS:,}" in too_long
    assert "limit" in _problems(_fix(reported_by="x" * (MAX_REPORTER_CHARS + 1)))
    assert validate_fix(_fix(description="x" * MAX_DESCRIPTION_CHARS), KNOWN) is None


def test_unknown_patterns_bad_json_and_odd_effectiveness_are_refused_together() -> None:
    problems = _problems(
        _fix(pattern_key="lora=l99", parameters="[1, 2", effectiveness="fixed-ish")
    )
    assert "not one failmap has surfaced" in problems
    assert "not valid JSON (line 1" in problems
    assert "Effectiveness must be one of" in problems
    assert "must be a JSON object" in _problems(_fix(parameters="[1, 2]"))


def test_nul_characters_are_refused_not_truncated() -> None:
    assert "NUL" in _problems(_fix(description="before\x00after"))


def test_markdown_escaping_shows_data_as_typed() -> None:
    escaped = md_escape("[x](u) **b** :red[r] $x$ <b>")
    assert "[" not in escaped.replace("\\[", "")
    assert escaped.replace("\\", "") == "[x](u) **b** :red[r] $x$ <b>"
