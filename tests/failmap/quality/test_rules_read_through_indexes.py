"""The raw rules that look at the whole history read it through indexes, not row by row.

They run on every refresh, before dbt; at 5.1M check rows the checks' scans took 5 s of a new
day's refresh (73 s at a year), and the runs' 1.7-2.1 s at a year (1.08M runs). With sequential
scans disabled, a plan that still scans the table has no index to use: the migration's index is
gone or the rule no longer fits it. A runs rule must not read the whole primary key either
(its `order by run_id` could walk it instead of a scan).
"""

from __future__ import annotations

import pytest

from failmap import database
from failmap.quality.suites import SUITES

HISTORY_RULES = {
    "raw.quality_scores": ("no_empty_day", "not_in_future", "gate_failure_share"),
    "raw.runs": (
        "finished_after_started",
        "recovery_needs_attempt",
        "failed_run_has_error",
        "not_in_future",
    ),
}
# What a plan must not contain: a read of every row.
FULL_READS = {
    "raw.quality_scores": ("Seq Scan on quality_scores",),
    "raw.runs": (
        "Seq Scan on runs",
        "Index Scan using runs_pkey",
        "Index Only Scan using runs_pkey",
    ),
}


def _rule_queries() -> list[tuple[str, str, str]]:
    return [
        (suite.name, rule.name, rule.kwargs["unexpected_rows_query"])
        for suite in SUITES
        if suite.name in HISTORY_RULES
        for rule in suite.rules
        if rule.name in HISTORY_RULES[suite.name]
    ]


def test_every_history_rule_is_checked() -> None:
    found = {(table, name) for table, name, _ in _rule_queries()}
    assert found == {(table, name) for table, names in HISTORY_RULES.items() for name in names}


@pytest.mark.parametrize(("table", "name", "query"), _rule_queries(), ids=lambda value: value[:40])
def test_the_rule_reads_through_an_index(
    fresh_database_url: str, table: str, name: str, query: str
) -> None:
    with database.connect(fresh_database_url) as conn:
        conn.execute("set local enable_seqscan = off")
        plan = conn.execute(
            "explain " + query.replace("{batch}", table)  # type: ignore[arg-type]
        ).fetchall()
    text = "\n".join(row[0] for row in plan)
    for full_read in FULL_READS[table]:
        assert full_read not in text, f"{table} {name} reads every row:\n{text}"
