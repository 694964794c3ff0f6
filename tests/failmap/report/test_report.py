"""`failmap report`: markdown from the error marts, on demo data, on crafted data, on a period
without runs, on a database without runs, and before the marts exist."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from failmap import database
from failmap.cli import main
from failmap.report import SECTIONS, ReportError, build_report, report_period
from failmap.report.builder import _failure_patterns
from tests.conftest import with_database
from tests.dbt.error_marts import CRAFTED_DAY, DEMO_END, DEMO_START

HEADINGS = {
    "summary": "## Summary",
    "patterns": "## Top error patterns",
    "phase": "## Phase breakdown",
    "trends": "## Trends",
    "recommendations": "## Recommendations",
}


def report(url: str, days: int, until: dt.date, sections=SECTIONS) -> str:
    with database.connect(url) as conn:
        return build_report(conn, report_period(days, until), sections)


def scalar(url: str, sql: str, params: list | None = None) -> object:
    with database.connect(url) as conn:
        return conn.execute(sql, params or []).fetchone()[0]


@pytest.fixture(scope="module")
def demo_report(demo_marts_url: str) -> str:
    return report(demo_marts_url, 30, DEMO_END)


def test_demo_report_has_every_section_and_the_period(demo_report: str) -> None:
    for heading in HEADINGS.values():
        assert heading in demo_report
    assert "## Top failure patterns from the pattern engine" in demo_report
    start = DEMO_END - dt.timedelta(days=29)
    assert f"**Period:** {start} to {DEMO_END} (last 30 days, UTC)" in demo_report


def test_demo_report_numbers_are_the_marts_numbers(demo_marts_url: str, demo_report: str) -> None:
    start = DEMO_END - dt.timedelta(days=29)
    runs, failed = (
        scalar(demo_marts_url, f"select {column} from raw.runs where started_at >= %s "  # noqa: S608
               "and started_at < %s", [start, DEMO_END + dt.timedelta(days=1)])
        for column in ("count(*)", "count(*) filter (where status = 'failed')")
    )  # fmt: skip
    summary_row = re.search(r"\n\| ([\d,]+) \| ([\d,]+) \| ([\d.]+)% \|", demo_report)
    assert summary_row is not None
    assert summary_row.group(1) == f"{runs:,}" and summary_row.group(2) == f"{failed:,}"
    assert summary_row.group(3) == f"{100 * failed / runs:.1f}"
    assert "Most problematic phase: **generate**" in demo_report


def test_demo_report_shows_examples_recommendations_and_unknown_signatures(
    demo_report: str,
) -> None:
    assert "### 1. out_of_memory" in demo_report
    assert "`torch.OutOfMemoryError: CUDA out of memory." in demo_report
    assert "Concentrated in model=m04" in demo_report
    assert "### Errors not in the catalog (grouped by signature)" in demo_report
    assert "`worker gpu-node-<NUM> heartbeat lost after <DURATION>; lease <HEX> expired`" in (
        demo_report
    )
    assert re.search(r"1\. \*\*\[high\] \w+\*\*", demo_report)
    assert "Suggested pattern: `^" in demo_report
    assert "No phase is above the threshold." in demo_report


def test_sections_can_be_chosen(demo_marts_url: str) -> None:
    text = report(demo_marts_url, 30, DEMO_END, ["phase", "trends"])
    assert [h for h in HEADINGS.values() if h in text] == [HEADINGS["phase"], HEADINGS["trends"]]


def test_flagged_phase_is_reported(crafted_marts_url: str) -> None:
    text = report(crafted_marts_url, 7, CRAFTED_DAY, ["phase"])
    assert "Flagged: generate." in text
    assert re.search(r"\| generate \| [\d,]+ \| .* \| \*\*flagged\*\* \|", text)


def test_a_period_without_runs_says_so_and_where_the_data_is(demo_marts_url: str) -> None:
    text = report(demo_marts_url, 30, DEMO_START - dt.timedelta(days=100))
    assert "**No runs in this period.**" in text
    assert f"runs from {DEMO_START} to {DEMO_END}" in text
    assert "## Summary" not in text


def test_a_database_without_runs_gives_a_clear_report(empty_marts_url: str) -> None:
    text = report(empty_marts_url, 30, dt.date(2026, 1, 31))
    assert "**No runs in this period.** There are no runs in the data at all yet" in text


def test_a_database_without_marts_is_an_error_that_says_what_to_do(
    conn: psycopg.Connection,
) -> None:
    with pytest.raises(ReportError, match="run `failmap refresh`"):
        build_report(conn, report_period(30))


FAILURE_PATTERNS_TABLE = """
create table marts.failure_patterns (
    pattern_key text, description text, dimension_workflow text, dimension_model text,
    dimension_lora text, dimension_character text, dimension_scene_type text,
    dimension_segment_position text, dimension_count integer, aliases text[],
    failure_count bigint, total_count bigint, failure_rate double precision,
    failure_rate_lower double precision, failure_rate_upper double precision,
    baseline_rate double precision, risk_ratio double precision, impact double precision,
    impact_rank integer, p_value double precision, q_value double precision,
    own_p_value double precision, own_q_value double precision, best_parent_key text,
    severity text, last_occurrence timestamptz, first_detected_at timestamptz,
    last_seen_at timestamptz, ln_p_value double precision default -7,
    parent_pattern_key text, top_failure_reasons jsonb default '[]',
    top_failing_checks jsonb default '[]', status text default 'active',
    status_since date default '2026-01-01', started_on date default '2026-01-01',
    recent_failure_rate double precision, recent_segment_count bigint default 0,
    recent_window_days integer default 7, current_failure_rate double precision,
    current_segment_count bigint, returned_after date, window_starts_on date
)
"""


def test_pattern_engine_section_reads_failure_patterns_when_they_exist(
    conn: psycopg.Connection,
) -> None:
    assert "The pattern engine has not run yet" in _failure_patterns(conn)
    conn.execute("create schema if not exists marts")
    conn.execute(FAILURE_PATTERNS_TABLE)
    assert "found no significant failure pattern" in _failure_patterns(conn)
    conn.execute(
        "insert into marts.failure_patterns (pattern_key, description, dimension_model, "
        "dimension_lora, dimension_character, dimension_scene_type, dimension_segment_position, "
        "dimension_count, aliases, failure_count, total_count, failure_rate, "
        "failure_rate_lower, failure_rate_upper, impact, impact_rank, p_value, q_value, "
        "severity) values "
        "('model=m03|scene_type=action', 'm03 in action scenes', 'm03', null, null, 'action', "
        "null, 2, '{}', 764, 2573, 0.297, 0.28, 0.31, 300, 2, 0.001, 0.002, 'medium'), "
        "('lora=l07|character=c12|segment_position=6+', 'l07 on c12 late', null, 'l07', 'c12', "
        "null, '6+', 3, '{}', 54, 104, 0.519, 0.42, 0.61, 400, 1, 0.001, 0.002, 'high')"
    )
    text = _failure_patterns(conn)
    high = text.index("`lora=l07\\|character=c12\\|segment_position=6+`")
    assert high < text.index("`model=m03\\|scene_type=action`")
    assert "| 54 / 104 | 51.9% | — | no segments in 7 d | high |" in text
    conn.execute(
        "update marts.failure_patterns set recent_failure_rate = 0, recent_segment_count = 8,"
        " current_failure_rate = 0.061, current_segment_count = 1204"
        " where pattern_key = 'model=m03|scene_type=action'"
    )
    # Now: the rate since its latest change, beside the whole history's.
    assert "| 764 / 2,573 | 29.7% | 6.1% of 1,204 | 0.0% of 8 in 7 d | medium |" in (
        _failure_patterns(conn)
    )
    # A pattern found in a recent window only: its counts and rate are that window's.
    conn.execute(
        "update marts.failure_patterns set window_starts_on = '2026-01-25'"
        " where pattern_key = 'model=m03|scene_type=action'"
    )
    assert "| 764 / 2,573 | 29.7% since 2026-01-25 | 6.1% of 1,204 |" in _failure_patterns(conn)


def test_pattern_engine_section_groups_refinements_and_shows_status_and_reasons(
    conn: psycopg.Connection,
) -> None:
    conn.execute("create schema if not exists marts")
    conn.execute(FAILURE_PATTERNS_TABLE)
    conn.execute(
        "insert into marts.failure_patterns (pattern_key, description, dimension_count, "
        "aliases, failure_count, total_count, failure_rate, failure_rate_lower, "
        "failure_rate_upper, impact, impact_rank, p_value, q_value, severity, status, "
        "status_since, parent_pattern_key, top_failure_reasons) values "
        "('model=m03', 'm03', 1, '{}', 900, 3000, 0.3, 0.28, 0.32, 500, 1, 0.001, 0.002, "
        " 'high', 'active', '2026-01-03', null, "
        """ '[{"value": "motion blur", "share": 0.62}, {"value": "face drift", "share": 0.2}]'), """
        "('lora=l16', 'l16', 1, '{}', 300, 2000, 0.15, 0.13, 0.17, 400, 2, 0.001, 0.002, "
        " 'medium', 'resolved', '2026-01-30', null, '[]'), "
        "('model=m01', 'm01', 1, '{}', 100, 1000, 0.1, 0.09, 0.11, 100, 4, 0.001, 0.002, "
        " 'low', 'emerging', '2026-02-20', null, '[]'), "
        "('model=m03|scene_type=action', 'm03 action', 2, '{}', 800, 2500, 0.32, 0.3, 0.34, "
        " 200, 3, 0.001, 0.002, 'medium', 'emerging', '2026-02-27', 'model=m03', '[]'), "
        "('model=m03|scene_type=action|segment_position=6+', 'm03 action late', 3, '{}', 300,"
        " 600, 0.5, 0.46, 0.54, 150, 6, 0.001, 0.002, 'medium', 'emerging', '2026-02-28',"
        " 'model=m03|scene_type=action', '[]'), "
        "('scene_type=neb', 'neb', 1, '{}', 20, 20, 1.0, 0.84, 1.0, 19, 5, 0.001, 0.002, "
        " 'medium', 'inactive', '2026-02-02', null, '[]')"
    )
    conn.execute(
        "create table marts.fix_effectiveness (fix_id bigint, pattern_key text, "
        "fix_description text, reported_by text, fixed_at timestamptz, "
        "is_credited_with_resolution boolean, explained_by_changes text)"
    )
    conn.execute(
        "insert into marts.fix_effectiveness values "
        "(7, 'lora=l16', 'Retrained l16 | *bold*', 'Ann', '2026-01-29', true, "
        " 'model=m02|1.5->1.4|2026-01-28'), "
        "(8, 'model=m03', 'Not credited', 'Bob', '2026-01-29', false, 'workflow=w01|1->2|x')"
    )

    text = _failure_patterns(conn)

    parent = text.index("| `model=m03` | active since 2026-01-03 |")
    child = text.index("| ↳ `model=m03\\|scene_type=action` | emerging since 2026-02-27 |")
    grandchild = text.index(
        "| ↳ ↳ `model=m03\\|scene_type=action\\|segment_position=6+` | emerging since 2026-02-28 |"
    )
    top_level = text.index("| `model=m01` | emerging since 2026-02-20 |")
    # Each refinement under its parent, every level deep, before the next top-level pattern.
    assert parent < child < grandchild < top_level
    assert "motion blur (62%); face drift (20%) |" in text
    # Inactive patterns (no segments lately) are not current: listed after it, with the day.
    assert "| `scene_type=neb`" not in text
    assert (
        "- `scene_type=neb` inactive since 2026-02-02: no segments since (it failed 100.0% of "
        "20 segments; medium severity)" in text
    )
    # Resolved patterns are not in the table, but listed with their day and fix.
    assert "| `lora=l16`" not in text
    assert "- `lora=l16` since 2026-01-30, credited to fix #7: `Retrained l16 \\| *bold*`" in text
    # The version change that accounts for the fall is named beside the fix.
    assert "of what it ran on: `model=m02\\|1.5->1.4\\|2026-01-28`)" in text
    assert "w01" not in text
    assert "None" not in text


def test_pattern_engine_section_says_when_the_mart_lacks_a_column(
    conn: psycopg.Connection,
) -> None:
    conn.execute("create schema if not exists marts")
    conn.execute(FAILURE_PATTERNS_TABLE)
    conn.execute("alter table marts.failure_patterns drop column impact_rank")
    text = _failure_patterns(conn)
    assert "`marts.failure_patterns` lacks a column this report reads" in text
    assert "impact_rank" in text


def test_cli_report_writes_the_file_and_says_where(
    demo_marts_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAILMAP_DATABASE_URL", demo_marts_url)
    output = tmp_path / "out" / "report.md"

    result = CliRunner().invoke(
        main, ["report", "--days", "14", "--until", str(DEMO_END), "--output", str(output),
               "--summary"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    text = output.read_text(encoding="utf-8")
    assert text.startswith("# failmap error report")
    assert "## Summary" in text and "## Trends" not in text
    assert f"written to {output}" in result.output


def test_cli_report_before_any_refresh_exits_1_with_the_reason(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAILMAP_DATABASE_URL", fresh_database_url)
    result = CliRunner().invoke(main, ["report"])
    assert result.exit_code == 1
    assert "the error marts are not built yet" in result.output


def _copy_of(server_url: str, url: str) -> str:
    """A new database holding what `url`'s database holds (its marts included)."""
    source = psycopg.conninfo.conninfo_to_dict(database.psycopg_url(url))["dbname"]
    name = f"t_{uuid.uuid4().hex[:12]}"
    with database.connect(server_url, autocommit=True) as conn:
        conn.execute(f"create database {name} template {source}")
    return with_database(server_url, name)


def test_patterns_are_reported_for_data_without_runs(
    server_url: str, empty_marts_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _copy_of(server_url, empty_marts_url)
    with database.connect(url) as conn:
        conn.execute(FAILURE_PATTERNS_TABLE)
        conn.execute(
            "insert into marts.failure_patterns (pattern_key, description, dimension_model, "
            "dimension_scene_type, dimension_count, aliases, failure_count, total_count, "
            "failure_rate, failure_rate_lower, failure_rate_upper, impact, impact_rank, "
            "p_value, q_value, severity) values ('model=m03|scene_type=action', "
            "'m03 in action scenes', 'm03', 'action', 2, '{}', 764, 2573, 0.297, 0.28, 0.31, "
            "300, 1, 0.001, 0.002, 'medium')"
        )
        conn.commit()
    monkeypatch.setenv("FAILMAP_DATABASE_URL", url)

    result = CliRunner().invoke(main, ["report", "--patterns", "--until", "2026-01-31"])

    assert result.exit_code == 0, result.output
    assert "**No runs in this period.** There are no runs in the data at all yet" in result.output
    assert "## Top failure patterns from the pattern engine" in result.output
    assert "`model=m03\\|scene_type=action`" in result.output
    assert "| 764 / 2,573 | 29.7% | — | no segments in 7 d | medium |" in result.output


def _week_columns(text: str) -> tuple[int, int]:
    """Sums of the Trends table's "last 7 days" and "7 days before" columns."""
    trends = text[text.index("## Trends") :]
    rows = re.findall(r"^\| (\w+) \|(.*)\|$", trends, re.MULTILINE)
    last = before = 0
    for category, rest in rows:
        if category == "category":
            continue
        cells = [cell.strip() for cell in rest.split("|")]
        last += int(cells[3].replace(",", ""))
        before += int(cells[4].replace(",", ""))
    return last, before


@pytest.mark.parametrize("days", [7, 30])
def test_week_over_week_columns_count_the_failed_runs_of_each_week(
    demo_marts_url: str, days: int
) -> None:
    text = report(demo_marts_url, days, DEMO_END, ["trends"])
    end = dt.datetime.combine(DEMO_END + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    failed = "select count(*) from raw.runs where status = 'failed' and started_at >= %s " \
        "and started_at < %s"  # fmt: skip
    week = dt.timedelta(days=7)
    expected_last = scalar(demo_marts_url, failed, [end - week, end])
    expected_before = scalar(demo_marts_url, failed, [end - 2 * week, end - week])

    last, before = _week_columns(text)

    assert expected_before > 0 and expected_last > 0
    assert (last, before) == (expected_last, expected_before)
