"""Recording a fix for a pattern: validation, length limits and one parameterized insert.

The text a person types is stored verbatim (no trimming inside, no HTML escaping: escaping is the
job of whatever displays it; the dashboard shows it in tables, never as markdown or HTML).
`record_fix` writes `app.pattern_fixes` itself until the core's `failmap.fixes.record_fix` exists;
then it should delegate to it so the CLI and the dashboard validate alike.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

import streamlit as st
from sqlalchemy import text

from lib.connection import engine
from lib.text import md_escape

MAX_DESCRIPTION_CHARS = 2000  # app.pattern_fixes check constraint
MAX_REPORTER_CHARS = 200  # app.pattern_fixes check constraint
MAX_PARAMETERS_CHARS = 4000
EFFECTIVENESS = ("resolved", "improved", "no_effect")
EFFECTIVENESS_LABELS = {
    None: "Not known yet",
    "resolved": "Resolved: the failures stopped",
    "improved": "Improved: fewer failures",
    "no_effect": "No effect",
}


class FixInvalid(ValueError):
    """The fix cannot be recorded; `problems` says why, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class FixInput:
    """A fix as a person entered it."""

    pattern_key: str
    description: str
    reported_by: str
    effectiveness: str | None = None
    parameters: str = ""  # JSON object text, optional


def _text_problems(name: str, value: str, limit: int) -> list[str]:
    if not value.strip():
        return [f"{name} is required."]
    problems = []
    if len(value) > limit:
        problems.append(f"{name} is {len(value):,} characters; the limit is {limit:,}.")
    if "\x00" in value:
        problems.append(f"{name} contains a NUL character, which cannot be stored.")
    return problems


def validate_fix(fix: FixInput, known_patterns: Collection[str]) -> dict[str, object] | None:
    """The fix's parameters as a JSON object (None when empty); raises FixInvalid otherwise."""
    problems = []
    if fix.pattern_key not in known_patterns:
        problems.append(
            f"Pattern {md_escape(fix.pattern_key)} is not one failmap has surfaced; "
            "pick one from the list."
        )
    problems += _text_problems("The description", fix.description, MAX_DESCRIPTION_CHARS)
    problems += _text_problems("The reporter's name", fix.reported_by, MAX_REPORTER_CHARS)
    if fix.effectiveness is not None and fix.effectiveness not in EFFECTIVENESS:
        problems.append(f"Effectiveness must be one of {', '.join(EFFECTIVENESS)} or left empty.")
    parameters = None
    if fix.parameters.strip():
        if len(fix.parameters) > MAX_PARAMETERS_CHARS:
            problems.append(
                f"The parameters are {len(fix.parameters):,} characters; "
                f"the limit is {MAX_PARAMETERS_CHARS:,}."
            )
        else:
            try:
                parameters = json.loads(fix.parameters)
            except json.JSONDecodeError as error:
                problems.append(
                    f"The parameters are not valid JSON (line {error.lineno}, column "
                    f'{error.colno}: {error.msg}). Example: {{"cfg_scale": 6.5}}'
                )
            else:
                if not isinstance(parameters, dict):
                    problems.append(
                        'The parameters must be a JSON object, e.g. {"cfg_scale": 6.5}.'
                    )
    if problems:
        raise FixInvalid(problems)
    return parameters


def record_fix(fix: FixInput, known_patterns: Collection[str]) -> int:
    """Validate and insert one fix; returns its fix_id. Raises FixInvalid with every problem."""
    parameters = validate_fix(fix, known_patterns)
    with engine().begin() as connection:
        fix_id = connection.execute(
            text(
                """
                insert into app.pattern_fixes
                    (pattern_key, fix_description, fix_parameters, effectiveness, reported_by)
                values
                    (:pattern_key, :description, cast(:parameters as jsonb), :effectiveness,
                    :reported_by)
                returning fix_id
                """
            ),
            {
                "pattern_key": fix.pattern_key,
                "description": fix.description,
                "parameters": None if parameters is None else json.dumps(parameters),
                "effectiveness": fix.effectiveness,
                "reported_by": fix.reported_by,
            },
        ).scalar_one()
    return int(fix_id)


def signed_in_reporter() -> str | None:
    """The signed-in user's name (or e-mail) when Streamlit authentication is configured."""
    try:
        if not st.user.is_logged_in:
            return None
    except (AttributeError, KeyError):  # no auth configured: st.user is empty
        return None
    name = st.user.get("name") or st.user.get("email")
    return str(name)[:MAX_REPORTER_CHARS] if name else None
