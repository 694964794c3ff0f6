"""Candidate catalog patterns: a template becomes a regular expression that PostgreSQL and
Python both read, and that matches the template's messages and not others."""

from __future__ import annotations

import re

import psycopg
import pytest

from failmap.demo import PLANTED
from failmap.errors import EMPTY_SIGNATURE, group_messages
from failmap.errors.candidates import template_to_pattern


def test_every_demo_message_matches_its_signature_pattern() -> None:
    messages = [family.example for family in PLANTED.error_families]
    for message, signature in zip(messages, group_messages(messages), strict=True):
        assert re.search(template_to_pattern(signature.template), message, re.I | re.S)


@pytest.mark.parametrize(
    ("template", "matches", "does_not_match"),
    [
        ("Read timed out. (read timeout=<NUM>)", "Read timed out. (read timeout=60)",
         "Read timed outX (read timeout=60)"),
        ("a+b*c? [x] {y} ^z$ | \\ <NUM>", "a+b*c? [x] {y} ^z$ | \\ 7", "aab*c? [x] {y} ^z$ | \\ 7"),
        ("Upload to <*> failed", "Upload to bucket renders-eu failed", "Upload to failed"),
        ("blocks blk_<NUM> ...", "blocks blk_1 blk_2 blk_3", "blocks"),
        ("spaced   out", "spaced out", "spacedout"),
    ],
)  # fmt: skip
def test_pattern_matches_the_template_literally_except_its_slots(
    conn: psycopg.Connection, template: str, matches: str, does_not_match: str
) -> None:
    pattern = template_to_pattern(template)

    assert re.search(pattern, matches, re.I | re.S)
    assert not re.search(pattern, does_not_match, re.I | re.S)
    postgres = conn.execute(
        "select %s ~* %s, %s ~* %s", [matches, pattern, does_not_match, pattern]
    )
    assert postgres.fetchone() == (True, False)


def test_the_empty_signature_pattern_matches_blank_messages_only() -> None:
    pattern = template_to_pattern(EMPTY_SIGNATURE.template)
    assert re.search(pattern, "   ")
    assert not re.search(pattern, "x")
