"""The expectation suites, one per table, as data: what each rule guards and how bad a breach is.

This module is the source of the suites; `failmap.quality.scaffold` renders it into the GX file
context (`expectations/expectations/<schema>/<table>.json`, with validation definitions and
checkpoints), and a test keeps the committed files equal to the rendering. Rules that compare
rows or tables are SQL files in `rules/` (`{batch}` is the table under test; `$name` fields are
filled from the rule's parameters).

Severity decides what a failure does:
- `critical`: the Dagster check fails with severity ERROR; on a raw table the check is blocking,
  so the dbt models downstream are not rebuilt in that run. Only for what would make the marts
  wrong: rows that broke the contract are quarantined and cannot, so no raw rule is critical.
- `warning`: the check fails with severity WARN; nothing is blocked.
- `info`: reported in the check's metadata, never fails it.

dbt's tests already guard keys, not-nulls, relationships and accepted values; no rule here
repeats one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any, Literal

from failmap.dimensions import DIMENSIONS

RULES_DIR = Path(__file__).parent / "rules"

Severity = Literal["critical", "warning", "info"]

# Share of a file's rows that may be quarantined before a delivery counts as broken.
MAX_QUARANTINED_SHARE = 0.05
# Share of one quality gate's checks that may fail on a day before the gate counts as broken.
MAX_GATE_FAILURE_SHARE = 0.5
MIN_GATE_CHECKS = 20

# `$dimension_columns` in a rule: the `dimension_<dim>` columns of a combination or pattern mart
# in the fixed order of failmap.dimensions, so that no rule lists the dimensions itself.
DIMENSION_COLUMNS = ", ".join(f"batch.dimension_{dimension}" for dimension in DIMENSIONS)


@dataclass(frozen=True)
class Rule:
    """One expectation: a GX expectation type with its arguments, and why it exists."""

    name: str
    description: str
    severity: Severity
    type: str
    kwargs: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Suite:
    """The rules of one table; `name` is `<schema>.<table>`."""

    name: str
    notes: str
    rules: tuple[Rule, ...]

    @property
    def schema(self) -> str:
        return self.name.partition(".")[0]

    @property
    def table(self) -> str:
        return self.name.partition(".")[2]


def sql_rule(
    name: str,
    description: str,
    severity: Severity = "warning",
    *,
    sql: str | None = None,
    **parameters: Any,
) -> Rule:
    """A rule that fails when the query in `rules/<sql or name>.sql` returns any row."""
    template = Template((RULES_DIR / f"{sql or name}.sql").read_text(encoding="utf-8"))
    query = template.substitute(
        {key: str(value) for key, value in parameters.items()},
        dimension_columns=DIMENSION_COLUMNS,
    )
    return Rule(
        name=name,
        description=description,
        severity=severity,
        type="unexpected_rows_expectation",
        kwargs={"unexpected_rows_query": query.strip()},
        meta={"rule": name, **parameters},
    )


def rate_rule(column: str, severity: Severity = "critical") -> Rule:
    """`column` is a rate: in [0, 1] wherever it is not null."""
    return Rule(
        name=f"{column}_in_unit_interval",
        description=f"{column} is a rate: between 0 and 1.",
        severity=severity,
        type="expect_column_values_to_be_between",
        kwargs={"column": column, "min_value": 0, "max_value": 1},
        meta={"rule": f"{column}_in_unit_interval"},
    )


def failures_within_total(severity: Severity = "critical") -> Rule:
    """failure_count <= total_count on every row."""
    return Rule(
        name="failure_count_within_total_count",
        description="failure_count <= total_count: a group cannot fail more segments than it has.",
        severity=severity,
        type="expect_column_pair_values_a_to_be_greater_than_b",
        kwargs={"column_A": "total_count", "column_B": "failure_count", "or_equal": True},
        meta={"rule": "failure_count_within_total_count"},
    )


def rates_against_baseline() -> tuple[Rule, ...]:
    """The rules of every table of failure rates against a baseline: both rates in [0, 1], and
    failure_count <= total_count."""
    return rate_rule("failure_rate"), rate_rule("baseline_rate"), failures_within_total()


def _quarantine_rule(file_kind: str) -> Rule:
    return sql_rule(
        "quarantined_share_per_file",
        f"No open warning about a {file_kind} file that had more than {MAX_QUARANTINED_SHARE:.0%} "
        "of its rows quarantined when it arrived: the sender's format may have changed. Each file "
        "is judged once, at arrival (app.file_judgements); a warning stays open until a person "
        "acknowledges it (Data quality page, `failmap quality ack`). The quarantined rows cannot "
        "reach the marts, so it never blocks them.",
        file_kind=file_kind,
        max_share=MAX_QUARANTINED_SHARE,
    )


def _not_in_future(key_column: str, time_column: str) -> Rule:
    return sql_rule(
        "not_in_future",
        f"No {time_column} more than an hour ahead of the database clock (a wrong time zone or "
        "clock upstream).",
        key_column=key_column,
        time_column=time_column,
    )


SUITES: tuple[Suite, ...] = (
    Suite(
        name="raw.quality_scores",
        notes=(
            "Quality-gate results as landed. Critical rules would block the dbt models downstream "
            "(the check on raw/quality_scores is blocking); warnings are reported without "
            "blocking."
        ),
        rules=(
            _quarantine_rule("quality_scores"),
            sql_rule(
                "no_empty_day",
                "No day without quality-gate results between the first and the last evaluated "
                "day: a missing day is a lost delivery and reads as a drop in volume.",
                sql="no_empty_day_indexed",
                time_column="evaluated_at",
            ),
            _not_in_future("score_id", "evaluated_at"),
            sql_rule(
                "gate_failure_share",
                f"On the latest day no quality gate (check_name with at least {MIN_GATE_CHECKS} "
                f"results) fails more than {MAX_GATE_FAILURE_SHARE:.0%} of its checks: a gate "
                "that rejects most segments is misconfigured, not a failure pattern.",
                max_share=MAX_GATE_FAILURE_SHARE,
                min_checks=MIN_GATE_CHECKS,
            ),
        ),
    ),
    Suite(
        name="raw.runs",
        notes=(
            "Generation runs as landed. Critical rules would block the dbt models downstream (the "
            "check on raw/runs is blocking); warnings are reported without blocking."
        ),
        rules=(
            _quarantine_rule("runs"),
            sql_rule("finished_after_started", "No run finished before it started."),
            sql_rule(
                "recovery_needs_attempt",
                "A recovery only succeeded when one was attempted.",
                key_column="run_id",
                attempted_column="recovery_attempted",
                succeeded_column="recovery_succeeded",
            ),
            sql_rule(
                "failed_run_has_error",
                "Every failed run says why (error_code, failure_reason or phase_errors): error "
                "analytics cannot classify a silent failure.",
            ),
            _not_in_future("run_id", "started_at"),
        ),
    ),
    Suite(
        name="marts.data_freshness",
        notes="How current and how clean the data is, in one row.",
        rules=(
            Rule(
                name="one_row",
                description="Exactly one row.",
                severity="critical",
                type="expect_table_row_count_to_equal",
                kwargs={"value": 1},
                meta={"rule": "one_row"},
            ),
            Rule(
                name="failed_segments_within_segments",
                description="failed_segment_count <= segment_count.",
                severity="critical",
                type="expect_column_pair_values_a_to_be_greater_than_b",
                kwargs={
                    "column_A": "segment_count",
                    "column_B": "failed_segment_count",
                    "or_equal": True,
                },
                meta={"rule": "failed_segments_within_segments"},
            ),
            sql_rule(
                "quarantined_share_overall",
                f"At most {MAX_QUARANTINED_SHARE:.0%} of all rows delivered so far were "
                "quarantined.",
                max_share=MAX_QUARANTINED_SHARE,
            ),
        ),
    ),
    Suite(
        name="marts.combination_failure_rates",
        notes="Failure rates of every combination of 1 to 3 dimensions.",
        rules=(
            *rates_against_baseline(),
            sql_rule(
                "combination_dimension_count",
                "Every combination is made of 1 to 3 dimensions (the others are null).",
                "critical",
            ),
        ),
    ),
    Suite(
        name="marts.failure_patterns",
        notes="The surfaced failure patterns people act on.",
        rules=(
            *rates_against_baseline(),
            sql_rule(
                "pattern_dimensions_present",
                "No null dimension in a surfaced pattern: every `dim=value` of pattern_key has its "
                "dimension_<dim> column filled, and nothing else is.",
                "critical",
            ),
            sql_rule(
                "pattern_above_baseline",
                "Every surfaced pattern fails more often than its baseline.",
                "critical",
            ),
        ),
    ),
    Suite(
        name="marts.failure_heatmap",
        notes="Failure rates of every pair of dimension values.",
        rules=(
            rate_rule("failure_rate"),
            failures_within_total(),
            sql_rule(
                "heatmap_distinct_axes",
                "A heatmap cell pairs two different dimensions.",
                "critical",
            ),
        ),
    ),
    Suite(
        name="marts.daily_failure_trends",
        notes="Daily failure rates per dimension value, with regression and improvement flags.",
        rules=(
            *rates_against_baseline(),
            sql_rule(
                "no_empty_day",
                "No day without segments in the overall series once data has started.",
                day_expression="batch.day",
                day_filter="batch.dimension = 'overall' and batch.total_count > 0",
            ),
            sql_rule(
                "flags_exclusive",
                "A series-day is not flagged as a regression and an improvement at once.",
                "critical",
            ),
        ),
    ),
    Suite(
        name="marts.change_events",
        notes="Workflow and model version changes with their verdicts.",
        rules=(
            rate_rule("rate_before"),
            rate_rule("rate_after"),
            sql_rule(
                "version_changed",
                "A change event changes the version (from_version <> to_version).",
                "critical",
            ),
        ),
    ),
    Suite(
        name="marts.run_errors",
        notes="Every failed run and phase error, classified by the catalog or a signature.",
        rules=(
            rate_rule("confidence"),
            sql_rule(
                "recovery_needs_attempt",
                "A recovery only succeeded when one was attempted.",
                key_column="run_error_id",
                attempted_column="is_recovery_attempted",
                succeeded_column="is_recovery_succeeded",
            ),
            sql_rule(
                "catalog_match_consistent",
                "A catalog match has a known category; a signature match is of category "
                "`unknown` and has a signature.",
                "critical",
            ),
        ),
    ),
)


def suite(name: str) -> Suite:
    """The suite named `name` (`<schema>.<table>`)."""
    for candidate in SUITES:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no expectation suite named {name!r}; known: {[s.name for s in SUITES]}")
