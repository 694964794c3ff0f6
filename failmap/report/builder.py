"""The markdown report: summary, top error patterns, phase breakdown, trends, recommendations
and the pattern engine's failure patterns, for the last N days.

All numbers come from the marts (directly, or summed over the period's daily rows by the SQL in
`queries/`); this module only arranges and formats them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import psycopg

from failmap.read import errors, patterns
from failmap.read.core import missing_relations
from failmap.read.errors import (
    ErrorCategory,
    ErrorSignature,
    ErrorSummary,
    PhaseErrors,
)
from failmap.report import markdown as md

SECTIONS: tuple[str, ...] = ("summary", "patterns", "phase", "trends", "recommendations")
TOP_CATEGORIES = 5
SIGNATURES_PER_CATEGORY = 3
TOP_RECOMMENDATIONS = 10
TOP_FAILURE_PATTERNS = 10


class ReportError(RuntimeError):
    """The report cannot be built (for example, the marts do not exist yet)."""


@dataclass(frozen=True)
class ReportPeriod:
    """The UTC days the report covers, both ends included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def params(self) -> dict[str, dt.date]:
        return {"start": self.start, "end": self.end}


def report_period(days: int = 30, until: dt.date | None = None) -> ReportPeriod:
    """The last `days` days up to and including `until` (default: today, UTC)."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    end = until or dt.datetime.now(dt.UTC).date()
    return ReportPeriod(start=end - dt.timedelta(days=days - 1), end=end)


def build_report(
    conn: psycopg.Connection,
    period: ReportPeriod,
    sections: Iterable[str] = SECTIONS,
    generated_at: dt.datetime | None = None,
) -> str:
    """The report as markdown; `sections` chooses which parts appear (in the standard order)."""
    wanted = set(sections)
    unknown = wanted - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown report sections {sorted(unknown)}; choose from {SECTIONS}")
    missing = missing_relations(conn, errors.RELATIONS)
    if missing:
        raise ReportError(
            f"the error marts are not built yet ({', '.join(missing)} missing): run "
            "`failmap refresh` (or `failmap up`) first"
        )
    generated_at = generated_at or dt.datetime.now(dt.UTC)
    parts = [
        "# failmap error report",
        f"**Period:** {period.start} to {period.end} (last {period.days} days, UTC) · "
        f"generated {generated_at:%Y-%m-%d %H:%M} UTC",
    ]
    summary = errors.error_summary(conn, period.start, period.end)
    if summary.run_count == 0:
        # The pattern engine's patterns are over all data and need no runs: still shown.
        parts.append(_no_runs(conn, period))
        if "patterns" in wanted:
            parts.append(_failure_patterns(conn))
        return "\n\n".join(parts) + "\n"
    phases = errors.phase_errors(conn, period.start, period.end)
    if "summary" in wanted:
        categories = errors.error_categories(conn, period.start, period.end)
        parts.append(_summary(summary, categories, phases))
    if "patterns" in wanted:
        parts.append(_error_patterns(conn, period))
        parts.append(_failure_patterns(conn))
    if "phase" in wanted:
        parts.append(_phases(phases))
    if "trends" in wanted:
        parts.append(_trends(conn, period))
    if "recommendations" in wanted:
        parts.append(_recommendations(conn, period))
    return "\n\n".join(parts) + "\n"


def _no_runs(conn: psycopg.Connection, period: ReportPeriod) -> str:
    span = errors.run_data_span(conn)
    if span.last_day is None:
        return (
            "**No runs in this period.** There are no runs in the data at all yet: drop `runs*` "
            "files into the inbox and run `failmap refresh`."
        )
    return (
        f"**No runs in this period.** The data has runs from {span.first_day} to "
        f"{span.last_day}: choose a period that overlaps it with `--days` or `--until`."
    )


def _summary(
    summary: ErrorSummary, categories: list[ErrorCategory], phases: list[PhaseErrors]
) -> str:
    table = md.table(
        [
            "runs",
            "failed",
            "failure rate",
            "cancelled",
            "errors",
            "classified by catalog",
            "recovered runs",
        ],
        [
            [
                md.count(summary.run_count),
                md.count(summary.failed_run_count),
                md.rate(summary.failure_rate),
                md.count(summary.cancelled_run_count),
                md.count(summary.error_count),
                md.rate(summary.catalog_match_rate),
                f"{md.count(summary.recovery_succeeded_run_count)} of "
                f"{md.count(summary.recovery_attempted_run_count)} attempted "
                f"({md.rate(summary.recovery_success_rate)})",
            ]
        ],
        right=range(7),
    )
    failing = [c for c in categories if c.failed_run_count > 0][:3]
    bullets = [
        "- Top categories of failed runs: "
        + (", ".join(f"{c.category} ({c.failed_run_count:,})" for c in failing) or "none"),
    ]
    worst = next((p for p in phases if p.problem_rank == 1), None)
    if worst is not None:
        bullets.append(
            f"- Most problematic phase: **{worst.phase}**, {worst.failed_run_count:,} "
            f"failed runs, {md.rate(worst.failure_rate)} of the "
            f"{worst.run_reached_count:,} runs that reached it"
        )
    bullets.append(
        f"- Error signatures: {summary.signature_count or 0:,}, of which "
        f"{summary.unknown_signature_count or 0:,} with errors the catalog does not classify"
    )
    return "\n\n".join(["## Summary", table, "\n".join(bullets)])


def _error_patterns(conn: psycopg.Connection, period: ReportPeriod) -> str:
    categories = errors.error_categories(conn, period.start, period.end)
    signatures, _ = errors.error_signatures(conn, period.start, period.end)
    by_category: dict[str, list[ErrorSignature]] = defaultdict(list)
    for signature in signatures:
        by_category[signature.category].append(signature)
    lines = ["## Top error patterns"]
    known = [c for c in categories if c.category != "unknown"][:TOP_CATEGORIES]
    if not known:
        lines.append("No errors the catalog classifies in this period.")
    for rank, category in enumerate(known, start=1):
        lines.append(_category_block(rank, category, by_category[category.category]))
    lines.append(_unknown_block(by_category.get("unknown", [])))
    return "\n\n".join(lines)


def _category_block(rank: int, category: ErrorCategory, signatures: list[ErrorSignature]) -> str:
    traits = [
        f"severity {category.severity}",
        "retryable" if category.is_retryable else "not retryable",
        f"recovery: {category.recovery_mode}",
    ]
    if category.estimated_fix_time:
        traits.append(f"fix time {category.estimated_fix_time}")
    lines = [
        f"### {rank}. {category.category}: {category.failed_run_count:,} failed runs, "
        f"{category.error_count:,} errors ({category.recovered_error_count:,} recovered)",
        "",
        " · ".join(traits),
        "",
    ]
    if category.root_cause:
        lines.append(f"- Root cause: {category.root_cause}")
    if category.solution:
        lines.append(f"- Recommendation: {category.solution}")
    if category.concentration_value:
        lines.append(
            f"- Concentrated in {category.concentration_dimension}="
            f"{category.concentration_value}: {category.concentration_error_count:,} of "
            f"{category.all_time_error_count:,} errors "
            f"({md.rate(category.concentration_error_share, 0)}) against "
            f"{md.rate(category.concentration_run_share, 0)} of runs (all data)"
        )
    lines.append("")
    lines.append(
        md.table(
            ["signature", "errors", "failed runs", "example"],
            [
                [
                    f"`{s.signature_id}`",
                    md.count(s.error_count),
                    md.count(s.failed_run_count),
                    md.code(s.example),
                ]
                for s in signatures[:SIGNATURES_PER_CATEGORY]
            ],
            right=(1, 2),
        )
    )
    if len(signatures) > SIGNATURES_PER_CATEGORY:
        lines.append(f"\n… and {len(signatures) - SIGNATURES_PER_CATEGORY} more signatures.")
    return "\n".join(lines)


def _unknown_block(signatures: list[ErrorSignature]) -> str:
    title = "### Errors not in the catalog (grouped by signature)"
    if not signatures:
        return f"{title}\n\nNone: the catalog classifies every error of this period."
    rows = [
        [
            f"`{s.signature_id}`",
            md.code(s.template, 100),
            md.count(s.unclassified_count),
            md.count(s.failed_run_count),
            f"{s.first_seen_at:%Y-%m-%d}",
            f"{s.last_seen_at:%Y-%m-%d}",
            md.cell(s.suggested_category),
        ]
        for s in signatures
    ]
    return "\n\n".join(
        [
            title,
            md.table(
                [
                    "signature",
                    "template",
                    "errors",
                    "failed runs",
                    "first seen",
                    "last seen",
                    "suggested category",
                ],
                rows,
                right=(2, 3),
            ),
            "To classify one, add a row to `dbt_project/seeds/error_catalog_patterns.csv` "
            "(`candidate_failure_patterns.json` has a suggested pattern for each) and refresh.",
        ]
    )


def _failure_patterns(conn: psycopg.Connection) -> str:
    title = "## Top failure patterns from the pattern engine"
    missing = missing_relations(conn, patterns.RELATIONS)
    if missing:
        return (
            f"{title}\n\nThe pattern engine has not run yet (`{missing[0]}` does not exist): "
            "run `failmap refresh` once it is installed."
        )
    try:
        with conn.transaction():  # a savepoint: the sections after this one still read
            found, _ = patterns.failure_patterns(conn)
    except psycopg.errors.UndefinedColumn as error:
        return (
            f"{title}\n\n`marts.failure_patterns` lacks a column this report reads "
            f"({error.diag.message_primary}): run `failmap refresh` to rebuild it."
        )
    if not found:
        return f"{title}\n\nThe pattern engine found no significant failure pattern."
    current = [p for p in found if p.status in patterns.CURRENT_STATUSES]
    inactive = [p for p in found if p.status == "inactive"]
    resolved = [p for p in found if p.status == "resolved"]
    credited = patterns.credited_fixes(conn) if resolved else {}
    # Top-level patterns by impact, each followed by its refinements (indented); a refinement
    # whose parent is not current is listed at the top level.
    keys = {p.pattern_key for p in current}
    top = [p for p in current if p.parent_pattern_key not in keys][:TOP_FAILURE_PATTERNS]
    children: dict[str, list[patterns.FailurePattern]] = defaultdict(list)
    for p in current:
        if p.parent_pattern_key in keys:
            children[p.parent_pattern_key].append(p)
    rows: list[list[str]] = []

    def add(pattern: patterns.FailurePattern, depth: int) -> None:
        # Every level of refinement (a refinement of a refinement too), indented by its depth.
        rows.append(_failure_pattern_row(pattern, "↳ " * depth + md.code(pattern.pattern_key, 200)))
        for child in children[pattern.pattern_key]:
            add(child, depth + 1)

    for parent in top:
        add(parent, 0)
    parts = [
        title,
        "Segment failure patterns over all the data (quality gates, not run errors), "
        "as surfaced by the pattern engine (`marts.failure_patterns`): the current ones "
        "(emerging or active; inactive and resolved ones are listed after the table), most "
        "excess failures first, each followed by the narrower "
        "patterns that refine it (↳). The failure rate is over all the data (for a pattern "
        "found only in a recent window, over that window: since its first day); now is the rate "
        "since its latest change (the date of its status), which its severity follows; recent "
        "days is the window its status rests on (a pattern that stopped failing shows it there "
        "first).",
    ]
    if rows:
        parts.append(
            md.table(
                [
                    "pattern",
                    "status",
                    "description",
                    "failed / total segments",
                    "failure rate",
                    "now",
                    "recent days",
                    "severity",
                    "top failure reasons",
                ],
                rows,
                right=(3, 4, 5, 6),
            )
        )
    else:
        parts.append("No current failure pattern: every surfaced pattern is inactive or resolved.")
    if inactive:
        parts.append(
            "Inactive (no segments lately: not failing now, but not known to be fixed either; "
            "the configuration check still warns about them):\n\n"
            + "\n".join(
                f"- {md.code(p.pattern_key, 200)} inactive since {p.status_since:%Y-%m-%d}: "
                f"no segments since (it failed {md.rate(p.failure_rate)} of "
                f"{p.total_count:,} segments; {md.cell(p.severity)} severity)"
                for p in inactive
            )
        )
    if resolved:
        parts.append(
            "Resolved (back at their baseline):\n\n"
            + "\n".join(
                f"- {md.code(p.pattern_key, 200)} since {p.status_since:%Y-%m-%d}"
                + (
                    f", credited to fix #{credited[p.pattern_key].fix_id}: "
                    f"{md.code(credited[p.pattern_key].fix_description, 120)}"
                    if p.pattern_key in credited
                    else ""
                )
                + (
                    " (the fall is accounted for by version changes judged improvements near "
                    "it, of what it ran on: "
                    + ", ".join(md.code(c, 200) for c in credited[p.pattern_key].explaining_changes)
                    + ")"
                    if p.pattern_key in credited and credited[p.pattern_key].explaining_changes
                    else ""
                )
                for p in resolved
            )
        )
    return "\n\n".join(parts)


def _failure_pattern_row(p: patterns.FailurePattern, name: str) -> list[str]:
    return [
        name,
        f"{p.status} since {p.status_since:%Y-%m-%d}"
        + (f" (back after its fall on {p.returned_after:%Y-%m-%d})" if p.returned_after else ""),
        md.cell(p.description),
        f"{p.failure_count:,} / {p.total_count:,}",
        md.rate(p.failure_rate)
        + (f" since {p.window_starts_on:%Y-%m-%d}" if p.window_starts_on else ""),
        _now(p),
        _recent(p),
        md.cell(p.severity),
        md.cell(
            "; ".join(f"{r.value} ({md.rate(r.share, 0)})" for r in p.top_failure_reasons[:3])
            or "—"
        ),
    ]


def _now(p: patterns.FailurePattern) -> str:
    """What it fails at now, which its severity follows: its rate since its latest change (the
    whole history when its series has none), on how many segments."""
    if p.current_failure_rate is None or not p.current_segment_count:
        return "—"
    return f"{md.rate(p.current_failure_rate)} of {p.current_segment_count:,}"


def _recent(p: patterns.FailurePattern) -> str:
    """What it failed at in the recent window its status rests on: a pattern that stopped
    failing shows it here before it can be proven resolved (e.g. 0.0% of 8 over 7 days)."""
    if p.recent_failure_rate is None or not p.recent_segment_count:
        return f"no segments in {p.recent_window_days} d"
    return (
        f"{md.rate(p.recent_failure_rate)} of {p.recent_segment_count:,} "
        f"in {p.recent_window_days} d"
    )


def _phases(phases: list[PhaseErrors]) -> str:
    thresholds = [p.flag_threshold for p in phases if p.flag_threshold is not None]
    threshold = max(thresholds, default=None)
    rows = [
        [
            p.phase,
            md.count(p.run_reached_count),
            md.count(p.error_count),
            md.count(p.recovered_error_count),
            md.count(p.failed_run_count),
            md.rate(p.failure_rate),
            "**flagged**" if p.is_flagged else "",
        ]
        for p in phases
    ]
    flagged = [p.phase for p in phases if p.is_flagged]
    verdict = f"Flagged: {', '.join(flagged)}." if flagged else "No phase is above the threshold."
    return "\n\n".join(
        [
            "## Phase breakdown",
            md.table(
                [
                    "phase",
                    "runs reaching it",
                    "errors",
                    "recovered",
                    "failed runs",
                    "failure rate",
                    "flag",
                ],
                rows,
                right=range(1, 6),
            ),
            f"A phase is flagged when more than {md.rate(threshold, 0)} of the runs that reached "
            f"it failed in it (dbt var `phase_failure_flag`). {verdict} Cancelled runs are not "
            "counted.",
        ]
    )


def _trends(conn: psycopg.Connection, period: ReportPeriod) -> str:
    changes = errors.trend_changes(conn, period.start, period.end)
    daily: dict[str, list[int]] = defaultdict(list)
    for row in errors.error_trend_points(conn, period.start, period.end):
        daily[row.category].append(row.failed_run_count)
    rows = [
        [
            c.category,
            md.count(c.failed_run_count),
            md.count(c.error_count),
            md.sparkline(daily[c.category]),
            md.count(c.last_7_days_failed_run_count),
            md.count(c.previous_7_days_failed_run_count),
            md.change(c.last_7_days_failed_run_count, c.previous_7_days_failed_run_count),
        ]
        for c in changes
    ]
    return "\n\n".join(
        [
            "## Trends",
            md.table(
                [
                    "category",
                    "failed runs",
                    "errors",
                    "failed runs per day",
                    "last 7 days",
                    "7 days before",
                    "change",
                ],
                rows,
                right=(1, 2, 4, 5, 6),
            ),
            f"The last 7 days end on {period.end}; one bar per day with runs.",
        ]
    )


def _recommendations(conn: psycopg.Connection, period: ReportPeriod) -> str:
    issues, _ = errors.recommendations(conn, start=period.start, limit=TOP_RECOMMENDATIONS)
    lines = ["## Recommendations"]
    if not issues:
        lines.append("No issue to act on in this period.")
        return "\n\n".join(lines)
    for rank, issue in enumerate(issues, start=1):
        name = issue.category if issue.issue_type == "category" else issue.signature_id
        evidence = (
            f"{issue.error_count:,} errors in {issue.affected_run_count:,} runs "
            f"({issue.failed_run_count:,} failed, {issue.recovered_error_count:,} "
            f"recovered) from {issue.first_seen_at:%Y-%m-%d} to "
            f"{issue.last_seen_at:%Y-%m-%d}"
        )
        if issue.top_phase:
            evidence += f", mostly in {issue.top_phase}"
        if issue.concentration_value:
            evidence += (
                f"; concentrated in {issue.concentration_dimension}="
                f"{issue.concentration_value} ({issue.concentration_error_count:,} of "
                f"{issue.error_count:,} errors, {md.rate(issue.concentration_error_share, 0)}"
                f" against {md.rate(issue.concentration_run_share, 0)} of runs)"
            )
        lines.append(
            "\n".join(
                [
                    f"{rank}. **[{issue.severity}] {name}**: {issue.issue}",
                    f"    - Root cause: {issue.root_cause}",
                    f"    - Solution: {issue.solution}",
                    *(
                        [f"    - Suggested pattern: {md.code(issue.suggested_pattern, 400)}"]
                        if issue.suggested_pattern
                        else []
                    ),
                    f"    - Estimated fix time: {issue.estimated_fix_time}",
                    f"    - Evidence (all data): {evidence}.",
                    f"    - Example: {md.code(issue.example_message)}",
                ]
            )
        )
    return "\n\n".join(lines)
