"""What failed in a dbt build, in one line per model or test, from dagster-dbt's step error.

When `dbt build` fails, the refresh's summary said only "failed step failmap_dbt_models": the
model and the reason were in the log. Since the contract marts declare their rules as
constraints, a broken rule is a model that fails (PostgreSQL's "null value in column ..."), so
the reason belongs in the summary. dagster-dbt already puts dbt's error lines in the step's
error ("Errors parsed from dbt logs:"); this reads them back.
"""

from __future__ import annotations

import re

MARKER = "Errors parsed from dbt logs:"
# dbt colours its console lines; the error text keeps the escapes.
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# "Database Error in model kpis (models/...)", "Failure in test not_null_x (models/...)",
# "Compilation Error in model x (...)": the node, then its reason on the next line.
HEADING = re.compile(r"^(?:[\w ]+ Error|Failure) in (model|test|seed|snapshot) (\S+)")


def dbt_failures(error_message: str, limit: int = 5) -> list[str]:
    """`<kind> <name>: <reason>` for each failed dbt node named in `error_message`, at most
    `limit` of them then how many more; empty when the message holds no dbt errors."""
    _, found, errors = error_message.partition(MARKER)
    if not found:
        return []
    lines = [ANSI.sub("", line).strip() for line in errors.splitlines()]
    lines = [line for line in lines if line]
    failures: list[str] = []
    for index, line in enumerate(lines):
        heading = HEADING.match(line)
        if heading is None:
            continue
        kind, name = heading.groups()
        reason = _reason(lines[index + 1 :], (kind, name))
        failure = f"{kind} {name}: {reason}" if reason else f"{kind} {name}"
        if failure not in failures:
            failures.append(failure)
    if len(failures) > limit:
        return [*failures[:limit], f"and {len(failures) - limit} more (see the log)"]
    return failures


def _reason(following: list[str], node: tuple[str, str]) -> str:
    """The first line after a node's heading that is not a heading of the same node ("Failure
    in model kpis" is followed by "Database Error in model kpis"); empty when the next node's
    heading, or only the location of the compiled code, comes first."""
    for text in following:
        heading = HEADING.match(text)
        if heading is None:
            return "" if text.startswith(("compiled code at", "DETAIL:")) else text
        if heading.groups() != node:
            return ""
    return ""
