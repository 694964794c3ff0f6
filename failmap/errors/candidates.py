"""Candidate catalog patterns: a signature's template as a regular expression, and the export
of frequent unknown signatures (`candidate_failure_patterns.json`) for people to review."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

from failmap.errors.signatures import EMPTY_SIGNATURE
from failmap.settings import Settings

__all__ = [
    "CANDIDATES_FILE_NAME",
    "CandidateExport",
    "default_export_path",
    "export_candidate_patterns",
    "select_candidates",
    "template_to_pattern",
]

CANDIDATES_FILE_NAME = "candidate_failure_patterns.json"
_CANDIDATES_SQL = Path(__file__).with_name("candidate_signatures.sql")

# "<*>" (any text), a named placeholder such as "<NUM>" (one masked value), " ..." (more of a
# repeated value) and runs of whitespace (collapsed by the grouping engine).
_TEMPLATE_PART = re.compile(r"<\*>|<[A-Z]+>| \.\.\.(?=\s|$)|\s+")
# Characters that are special in a PostgreSQL (ARE) or Python regular expression. A backslash
# before any other non-alphanumeric character is that character in both dialects.
_SPECIAL = re.compile(r"([\\.^$|?*+()\[\]{}])")


def template_to_pattern(template: str) -> str:
    """Return an anchored regular expression that matches the messages of a template.

    The result is valid in PostgreSQL (the dialect of the error catalog's `pattern` column,
    matched with `~*`) and in Python's `re`: placeholders become `.+`, a repeated-value marker
    ` ...` becomes `.*`, whitespace runs become `\\s+`, everything else is literal.
    """
    if template == EMPTY_SIGNATURE.template:
        return r"^\s*$"
    parts = ["^"]
    position = 0
    for match in _TEMPLATE_PART.finditer(template):
        parts.append(_SPECIAL.sub(r"\\\1", template[position : match.start()]))
        token = match.group()
        if token.startswith("<"):
            parts.append(".+")
        elif token.strip() == "...":
            parts.append(".*")
        else:
            parts.append(r"\s+")
        position = match.end()
    parts.append(_SPECIAL.sub(r"\\\1", template[position:]))
    parts.append("$")
    return "".join(parts)


def default_export_path(settings: Settings) -> Path:
    """Where the export goes unless configured: `$FAILMAP_HOME/exports/`."""
    return settings.home / "exports" / CANDIDATES_FILE_NAME


@dataclass(frozen=True)
class CandidateExport:
    """What one export wrote: where, with which thresholds, and the candidates."""

    path: Path
    min_occurrences: int
    days: int
    window_start: dt.datetime
    candidates: list[dict[str, Any]] = field(default_factory=list)


def select_candidates(
    conn: psycopg.Connection, *, min_occurrences: int, days: int, now: dt.datetime | None = None
) -> tuple[dt.datetime, list[dict[str, Any]]]:
    """Unknown signatures seen at least `min_occurrences` times in the last `days` days.

    Reads `marts.error_signatures` and `marts.run_errors`; only occurrences that the catalog did
    not classify count. Returns the window start and the candidates, most frequent first.
    """
    if min_occurrences < 1 or days < 1:
        raise ValueError(
            f"min_occurrences and days must be at least 1, got {min_occurrences} and {days}"
        )
    now = now or dt.datetime.now(dt.UTC)
    window_start = now - dt.timedelta(days=days)
    with conn.cursor(row_factory=dict_row) as cursor:
        cursor.execute(
            _CANDIDATES_SQL.read_text(encoding="utf-8"),
            {"window_start": window_start, "min_occurrences": min_occurrences},
        )
        rows = cursor.fetchall()
    return window_start, [_json_ready(row) for row in rows]


def _json_ready(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, dt.datetime | dt.date) else value
        for key, value in row.items()
    }


def export_candidate_patterns(
    conn: psycopg.Connection,
    path: Path,
    *,
    min_occurrences: int = 5,
    days: int = 30,
    now: dt.datetime | None = None,
) -> CandidateExport:
    """Write `candidate_failure_patterns.json` atomically (temporary file, then rename)."""
    window_start, candidates = select_candidates(
        conn, min_occurrences=min_occurrences, days=days, now=now
    )
    document = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "window_start": window_start.isoformat(timespec="seconds"),
        "window_days": days,
        "min_occurrences": min_occurrences,
        "how_to_use": (
            "Each candidate is a group of run errors that the error catalog does not classify. "
            "To classify it, add a row to dbt_project/seeds/error_catalog_patterns.csv with a "
            "category (an existing one, or a new row in error_catalog.csv) and a pattern "
            "(suggested_pattern is a starting point), then refresh."
        ),
        "candidates": candidates,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.part")
    temporary.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    os.replace(temporary, path)
    return CandidateExport(path, min_occurrences, days, window_start, candidates)
