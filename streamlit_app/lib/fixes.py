"""Recording a fix from the dashboard: the core's `failmap.fixes.record_fix`, errors for people.

The core validates (pattern exists or existed, description and reporter required and length-
limited, effectiveness from the set, parameters a JSON object), stores the text verbatim and
writes the compatibility notes; this module only turns its per-field errors into sentences that
name the form's fields. The dashboard shows stored text in tables, never as markdown or HTML.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import streamlit as st

from failmap import fixes as core
from failmap.read.patterns import FixMeasurement
from lib.connection import engine
from lib.days import day_text
from lib.rates import rate_text
from lib.text import md_escape

MAX_DESCRIPTION_CHARS = core.MAX_DESCRIPTION_LENGTH
MAX_REPORTER_CHARS = core.MAX_REPORTED_BY_LENGTH
MAX_PARAMETERS_CHARS = core.MAX_PARAMETERS_LENGTH
EFFECTIVENESS = core.EFFECTIVENESS
EFFECTIVENESS_LABELS = {
    None: "Not known yet",
    "resolved": "Resolved: the failures stopped",
    "improved": "Improved: fewer failures",
    "no_effect": "No effect",
}


def effect_label(effectiveness: object) -> str:
    """A stored effectiveness as a creator reads it ('Not known yet' for none, never 'None')."""
    if not isinstance(effectiveness, str):
        return EFFECTIVENESS_LABELS[None]
    return EFFECTIVENESS_LABELS.get(effectiveness, effectiveness).split(":")[0]


# The form's names for the core's fields.
_FIELDS = {
    "description": "What you changed",
    "reported_by": "Your name",
    "effectiveness": "Did it work",
    "parameters": "Parameters",
    "pattern_key": "Pattern",
}


class FixInvalid(ValueError):
    """The fix cannot be recorded; `problems` says why, one sentence per field."""

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


def problems_of(error: core.FixValidationError) -> list[str]:
    """The core's field errors as sentences naming the form's fields (markdown-safe)."""
    return [
        f"{_FIELDS.get(field, field)}: {md_escape(message)}"
        for field, message in error.errors.items()
    ]


def record_fix(fix: FixInput) -> int:
    """Validate and store one fix through the core; returns its fix_id or raises FixInvalid."""
    try:
        recorded = core.record_fix(
            engine(),
            pattern_key=fix.pattern_key,
            description=fix.description,
            reported_by=fix.reported_by,
            effectiveness=fix.effectiveness,
            parameters=fix.parameters if fix.parameters.strip() else None,
        )
    except core.FixValidationError as error:
        raise FixInvalid(problems_of(error)) from error
    return recorded.fix_id


def signed_in_reporter() -> str | None:
    """The signed-in user's name (or e-mail) when Streamlit authentication is configured."""
    try:
        if not st.user.is_logged_in:
            return None
    except (AttributeError, KeyError):  # no auth configured: st.user is empty
        return None
    name = st.user.get("name") or st.user.get("email")
    return str(name)[:MAX_REPORTER_CHARS] if name else None


def measured_label(measurement: FixMeasurement | None) -> str:
    """What the data says of a fix, as a creator reads it: the verdict of marts.fix_effectiveness
    with the rates before and after (or the segments still needed). A fix recorded since the
    last refresh is 'Not measured yet'."""
    if measurement is None:
        return "Not measured yet"
    return _measured(
        measurement.measured_verdict,
        measurement.before_failure_rate,
        measurement.after_failure_rate,
        measurement.after_total_count,
        measurement.required_after_count,
        counted=True,
    ) + _returned(measurement.rose_again_on)


def measured_text(fix: dict[str, Any]) -> str:
    """The same of a known fix as a configuration check returns it: its verdict and rates (the
    segments a too-early fix still needs are not in the check), and the regressions that may
    hide it."""
    if fix.get("measured_verdict") is None:
        return "Not measured yet"
    text = _measured(
        fix["measured_verdict"], fix.get("before_failure_rate"), fix.get("after_failure_rate")
    ) + _returned(fix.get("rose_again_on"))
    masking = fix.get("masked_by_changes") or []
    if masking:
        text += f" (a regression may hide it: {', '.join(masking)})"
    return text


def _returned(rose_again_on: dt.date | str | None) -> str:
    """', held until Oct 30' for a fix that held until its pattern rose again (the rates are
    of the days it held), else ''. Short: it ends a table cell."""
    if not rose_again_on:
        return ""
    return f", held until {day_text(rose_again_on)}"


def _measured(
    verdict: str,
    rate_before: float | None,
    rate_after: float | None,
    after_count: int | None = None,
    required_count: int | None = None,
    counted: bool = False,
) -> str:
    rates = f"{rate_text(rate_before)} → {rate_text(rate_after)}"
    if verdict == "verified":
        return f"Verified: {rates}"
    if verdict == "ineffective":
        return f"No drop: {rates}"
    if not counted:
        return "Too early"
    if required_count is None:
        return "Too early: no failures before it"
    return f"Too early: {after_count or 0:,} of {required_count:,} segments"
