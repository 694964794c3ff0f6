"""Markdown formatting for the report: numbers, rates, code spans, tables, sparklines.

Formatting only: every number shown is computed by the marts or by the report's SQL.
"""

from __future__ import annotations

from collections.abc import Sequence

_SPARK = "▁▂▃▄▅▆▇█"


def count(value: int | None) -> str:
    """`1,234`; an em dash for a missing value."""
    return "—" if value is None else f"{value:,}"


def rate(value: float | None, digits: int = 1) -> str:
    """A share as a percentage, `7.7%`; an em dash when undefined (nothing to divide by)."""
    return "—" if value is None else f"{100 * value:.{digits}f}%"


def code(text: str | None, limit: int = 160) -> str:
    """Inline code that survives tables: one line, pipes escaped, at most `limit` characters."""
    if text is None:
        return "—"
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    if flat == "":
        return "(empty message)"
    flat = flat.replace("|", "\\|")
    fence = "``" if "`" in flat else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def cell(text: str | None) -> str:
    """Plain text in a table cell (pipes escaped, one line)."""
    return "—" if text is None else " ".join(str(text).split()).replace("|", "\\|")


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """A GitHub-flavoured markdown table; columns listed in `right` are right-aligned."""
    align = ["---:" if index in right else "---" for index in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def sparkline(values: Sequence[int]) -> str:
    """One block character per value, scaled to the largest (all zeros: the lowest block)."""
    top = max(values, default=0)
    if top <= 0:
        return _SPARK[0] * len(values)
    return "".join(_SPARK[round(value / top * (len(_SPARK) - 1))] for value in values)


def change(current: int, previous: int) -> str:
    """`+12 (+40%)`, `-3 (-20%)`, `+5 (new)`, `0`."""
    difference = current - previous
    if difference == 0:
        return "0"
    if previous == 0:
        return f"{difference:+,} (new)"
    return f"{difference:+,} ({difference / previous:+.0%})"
