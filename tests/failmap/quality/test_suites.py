"""Every expectation suite passes on good data, and each rule fails on data that breaks it, with
the number of offending rows and examples that name them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from failmap.quality.suites import SUITES
from failmap.quality.validation import run_suite
from tests.failmap.quality.conftest import execute

pytestmark = pytest.mark.filterwarnings("ignore")


@dataclass(frozen=True)
class Breach:
    suite: str
    rule: str
    sql: str
    unexpected: int | None
    example: str  # text that must appear in the examples (or the error) of the failed rule
    severity: str = "critical"
    also: tuple[str, ...] = ()  # rules the same breach rightly breaks too

    @property
    def id(self) -> str:
        return f"{self.suite}:{self.rule}"


BREACHES = [
    Breach(
        "raw.quality_scores",
        "quarantined_share_per_file",
        "insert into raw.ingested_files (file_name, file_kind, sha256, size_bytes, status, "
        "rows_in_file, rows_loaded, rows_quarantined) values ('quality_scores_bad.csv', "
        "'quality_scores', 'sha-bad', 10, 'loaded', 100, 90, 10)"
        "; insert into app.file_judgements (file_id, rule, file_name, file_kind, rows_in_file, "
        "rows_quarantined, max_quarantined_share, is_warning) select file_id, "
        "'quarantined_share_per_file', file_name, file_kind, rows_in_file, rows_quarantined, "
        "0.05, true from raw.ingested_files where sha256 = 'sha-bad'",
        1,
        "quality_scores_bad.csv",
        "warning",
    ),
    Breach(
        "raw.quality_scores",
        "no_empty_day",
        "delete from raw.quality_scores where evaluated_at::date = '2026-09-02'",
        1,
        "2026-09-02",
        "warning",
    ),
    Breach(
        "raw.quality_scores",
        "not_in_future",
        "update raw.quality_scores set evaluated_at = now() + interval '2 days' "
        "where score_id = 's-1-5-motion'",
        1,
        "s-1-5-motion",
        "warning",
        also=("no_empty_day",),  # the days up to the future row hold no data either
    ),
    Breach(
        "raw.quality_scores",
        "gate_failure_share",
        "update raw.quality_scores set passed = false where check_name = 'flicker' "
        "and evaluated_at::date = '2026-09-03' and segment_id <= 'seg-2-5'",
        1,
        "flicker",
        "warning",
    ),
    Breach(
        "raw.runs",
        "quarantined_share_per_file",
        "insert into raw.ingested_files (file_name, file_kind, sha256, size_bytes, status, "
        "rows_in_file, rows_loaded, rows_quarantined) values ('runs_bad.csv', 'runs', 'sha-bad', "
        "10, 'loaded', 20, 10, 10)"
        "; insert into app.file_judgements (file_id, rule, file_name, file_kind, rows_in_file, "
        "rows_quarantined, max_quarantined_share, is_warning) select file_id, "
        "'quarantined_share_per_file', file_name, file_kind, rows_in_file, rows_quarantined, "
        "0.05, true from raw.ingested_files where sha256 = 'sha-bad'",
        1,
        "runs_bad.csv",
        "warning",
    ),
    Breach(
        "raw.runs",
        "finished_after_started",
        "update raw.runs set finished_at = started_at - interval '1 minute' "
        "where run_id in ('j-0-1', 'j-0-2')",
        2,
        "j-0-1",
        "warning",
    ),
    Breach(
        "raw.runs",
        "recovery_needs_attempt",
        "update raw.runs set recovery_attempted = false, recovery_succeeded = true "
        "where run_id = 'j-1-4'",
        1,
        "j-1-4",
        "warning",
    ),
    Breach(
        "raw.runs",
        "failed_run_has_error",
        "update raw.runs set error_code = null, failure_reason = null where run_id = 'j-2-20'",
        1,
        "j-2-20",
        "warning",
    ),
    Breach(
        "raw.runs",
        "not_in_future",
        "update raw.runs set started_at = now() + interval '1 day', finished_at = null "
        "where run_id = 'j-0-7'",
        1,
        "j-0-7",
        "warning",
    ),
    Breach(
        "marts.data_freshness",
        "one_row",
        "insert into marts.data_freshness select * from marts.data_freshness",
        None,
        "",
    ),
    Breach(
        "marts.data_freshness",
        "failed_segments_within_segments",
        "update marts.data_freshness set failed_segment_count = segment_count + 1",
        1,
        "",
    ),
    Breach(
        "marts.data_freshness",
        "quarantined_share_overall",
        "update marts.data_freshness set rows_quarantined_count = 100",
        1,
        "100",
        "warning",
    ),
    Breach(
        "marts.combination_failure_rates",
        "failure_rate_in_unit_interval",
        "update marts.combination_failure_rates set failure_rate = 1.25 "
        "where dimension_workflow = 'w01'",
        1,
        "1.25",
    ),
    Breach(
        "marts.combination_failure_rates",
        "baseline_rate_in_unit_interval",
        "update marts.combination_failure_rates set baseline_rate = -0.5 "
        "where dimension_lora = 'l07' and dimension_character is null",
        1,
        "-0.5",
    ),
    Breach(
        "marts.combination_failure_rates",
        "failure_count_within_total_count",
        "update marts.combination_failure_rates set failure_count = 95 "
        "where dimension_workflow = 'w01'",
        1,
        "",
    ),
    Breach(
        "marts.combination_failure_rates",
        "combination_dimension_count",
        "update marts.combination_failure_rates set dimension_workflow = null "
        "where dimension_workflow = 'w01'",
        1,
        "",
    ),
    Breach(
        "marts.failure_patterns",
        "failure_rate_in_unit_interval",
        "update marts.failure_patterns set failure_rate = 9 where pattern_key = 'model=m02'",
        1,
        "9",
    ),
    Breach(
        "marts.failure_patterns",
        "failure_count_within_total_count",
        "update marts.failure_patterns set failure_count = 61 where pattern_key = 'model=m02'",
        1,
        "",
    ),
    Breach(
        "marts.failure_patterns",
        "pattern_dimensions_present",
        "update marts.failure_patterns set dimension_character = null "
        "where pattern_key like 'lora=l07%'",
        1,
        "lora=l07|character=c12|segment_position=6+",
    ),
    Breach(
        "marts.failure_patterns",
        "pattern_above_baseline",
        "update marts.failure_patterns set baseline_rate = 0.5 "
        "where pattern_key = 'scene_type=night'",
        1,
        "scene_type=night",
    ),
    Breach(
        "marts.failure_heatmap",
        "failure_rate_in_unit_interval",
        "update marts.failure_heatmap set failure_rate = 1.5 where x_value = 'l01'",
        1,
        "1.5",
    ),
    Breach(
        "marts.failure_heatmap",
        "failure_count_within_total_count",
        "update marts.failure_heatmap set failure_count = 51 where x_value = 'l01'",
        1,
        "",
    ),
    Breach(
        "marts.failure_heatmap",
        "heatmap_distinct_axes",
        "update marts.failure_heatmap set y_dimension = 'lora' where x_value = 'l01'",
        1,
        "l01",
    ),
    Breach(
        "marts.daily_failure_trends",
        "no_empty_day",
        "delete from marts.daily_failure_trends where dimension = 'overall' and day = '2026-09-02'",
        1,
        "2026-09-02",
        "warning",
    ),
    Breach(
        "marts.daily_failure_trends",
        "flags_exclusive",
        "update marts.daily_failure_trends set improvement_flag = true where dimension = 'model'",
        1,
        "m02",
    ),
    Breach(
        "marts.daily_failure_trends",
        "failure_count_within_total_count",
        "update marts.daily_failure_trends set failure_count = 31 where dimension = 'model'",
        1,
        "",
    ),
    Breach(
        "marts.daily_failure_trends",
        "baseline_rate_in_unit_interval",
        "update marts.daily_failure_trends set baseline_rate = 2 where dimension = 'model'",
        1,
        "2",
    ),
    Breach(
        "marts.change_events",
        "rate_after_in_unit_interval",
        "update marts.change_events set rate_after = 1.2 where dimension = 'model'",
        1,
        "1.2",
    ),
    Breach(
        "marts.change_events",
        "version_changed",
        "update marts.change_events set to_version = from_version where dimension = 'workflow'",
        1,
        "w01",
    ),
    Breach(
        "marts.run_errors",
        "confidence_in_unit_interval",
        "update marts.run_errors set confidence = 1.5 where run_id = 'j-0-10'",
        1,
        "1.5",
    ),
    Breach(
        "marts.run_errors",
        "recovery_needs_attempt",
        "update marts.run_errors set is_recovery_succeeded = true where run_error_id = 'e-j-0-10'",
        1,
        "e-j-0-10",
        "warning",
    ),
    Breach(
        "marts.run_errors",
        "catalog_match_consistent",
        "update marts.run_errors set category = 'unknown' where run_id = 'j-1-10'",
        1,
        "j-1-10",
    ),
    Breach(
        "marts.change_events",
        "rate_before_in_unit_interval",
        "alter table marts.change_events drop column rate_before",
        None,
        'column "rate_before"',
    ),
]


def test_every_rule_has_a_breach_that_proves_it_can_fail() -> None:
    covered = {(breach.suite, breach.rule) for breach in BREACHES}
    rules = {(suite.name, rule.name) for suite in SUITES for rule in suite.rules}
    untested = {rule for rule in rules - covered if not rule[1].endswith("_in_unit_interval")}
    assert untested == set()
    # Each suite's rate rules are the same expectation type: one breach per type is proof.
    assert {suite for suite, _ in covered} == {suite.name for suite in SUITES}


def test_every_suite_passes_on_good_data(good_database_url: str, gx_root: Path) -> None:
    for suite in SUITES:
        outcome = run_suite(good_database_url, suite.name, root=gx_root)

        assert outcome.passed, outcome.summary()
        assert len(outcome.expectations) == len(suite.rules)
        assert all(o.error is None for o in outcome.expectations), outcome.expectations


@pytest.mark.parametrize("breach", BREACHES, ids=lambda breach: breach.id)
def test_a_breached_rule_fails_its_suite_with_counts_and_examples(
    breach: Breach, good_database_url: str, gx_root: Path
) -> None:
    execute(good_database_url, breach.sql)

    outcome = run_suite(good_database_url, breach.suite, root=gx_root)

    assert not outcome.passed
    failed = sorted(failure.rule for failure in outcome.failures)
    assert failed == sorted([breach.rule, *breach.also]), outcome.summary()
    failure = next(failure for failure in outcome.failures if failure.rule == breach.rule)
    assert failure.severity == breach.severity
    assert outcome.critical is (breach.severity == "critical")
    if breach.unexpected is not None:
        assert failure.unexpected_count == breach.unexpected
    evidence = f"{failure.examples} {failure.error or ''} {failure.observed_value}"
    assert breach.example in evidence


def test_an_empty_mart_passes_its_suite(good_database_url: str, gx_root: Path) -> None:
    execute(good_database_url, "truncate marts.change_events")

    outcome = run_suite(good_database_url, "marts.change_events", root=gx_root)

    assert outcome.passed, outcome.summary()
    assert [o.unexpected_count for o in outcome.expectations] == [0, 0, 0]


def test_an_old_bad_delivery_does_not_block_a_newer_good_one(
    good_database_url: str, gx_root: Path
) -> None:
    execute(
        good_database_url,
        "insert into raw.ingested_files (file_name, file_kind, sha256, size_bytes, status, "
        "rows_in_file, rows_loaded, rows_quarantined, loaded_at) values ('quality_scores_old.csv', "
        "'quality_scores', 'sha-old', 10, 'loaded', 100, 50, 50, now() - interval '1 day')",
    )

    assert run_suite(good_database_url, "raw.quality_scores", root=gx_root).passed


def test_a_missing_table_is_reported_not_raised(fresh_database_url: str, gx_root: Path) -> None:
    outcome = run_suite(fresh_database_url, "marts.failure_patterns", root=gx_root)

    assert outcome.table_missing
    assert not outcome.passed
    assert "not built yet" in outcome.summary()
