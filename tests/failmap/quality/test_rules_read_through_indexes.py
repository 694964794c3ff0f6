"""The raw rules that look at the whole check history read it through indexes, not row by row.

They run on every refresh; at 5.1M check rows their scans took 5 s of a new day's refresh (73 s
at a year). With sequential scans disabled, a plan that still scans `raw.quality_scores` has
no index to use: the migration's index is gone or the rule no longer fits it.
"""

from __future__ import annotations

import pytest

from failmap import database
from failmap.quality.suites import SUITES

HISTORY_RULES = ("no_empty_day", "not_in_future", "gate_failure_share")


def _rule_queries() -> list[tuple[str, str]]:
    suite = next(suite for suite in SUITES if suite.name == "raw.quality_scores")
    return [
        (rule.name, rule.kwargs["unexpected_rows_query"])
        for rule in suite.rules
        if rule.name in HISTORY_RULES
    ]


def test_every_history_rule_is_checked() -> None:
    assert sorted(name for name, _ in _rule_queries()) == sorted(HISTORY_RULES)


@pytest.mark.parametrize(("name", "query"), _rule_queries(), ids=lambda value: value[:40])
def test_the_rule_reads_raw_checks_through_an_index(
    fresh_database_url: str, name: str, query: str
) -> None:
    with database.connect(fresh_database_url) as conn:
        conn.execute("set local enable_seqscan = off")
        plan = conn.execute(
            "explain " + query.replace("{batch}", "raw.quality_scores")  # type: ignore[arg-type]
        ).fetchall()
    text = "\n".join(row[0] for row in plan)
    assert "Seq Scan on quality_scores" not in text, f"{name} scans every row:\n{text}"
