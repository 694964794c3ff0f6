"""`/metrics` serves values equal to what the marts hold, says which marts are missing instead of
failing, and reports an unreachable database as `failmap_database_up 0`."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families

from failmap import database
from failmap.cli import main
from failmap.metrics.collector import METRICS, SOURCES, served_metric_names
from failmap.metrics.server import start_metrics_server
from tests.failmap.quality.conftest import execute, seed_good_data

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _scrape(url: str) -> tuple[str, Samples]:
    port = _free_port()
    server = start_metrics_server(url, port=port, cache_seconds=0)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            text = response.read().decode()
    finally:
        server.shutdown()
        server.server_close()
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    return text, samples


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


@pytest.fixture
def marts_url(fresh_database_url: str) -> Iterator[str]:
    """The good warehouse of the quality tests (hand-made marts with the contract's columns)."""
    seed_good_data(fresh_database_url)
    yield fresh_database_url


def _query(url: str, sql: str) -> list[tuple]:
    with database.connect(url) as conn:
        return conn.execute(sql).fetchall()  # type: ignore[arg-type]


def test_metrics_equal_what_the_marts_hold(marts_url: str) -> None:
    text, samples = _scrape(marts_url)

    assert _value(samples, "failmap_database_up") == 1
    for source in SOURCES:
        assert _value(samples, "failmap_mart_available", mart=source) == 1
    (refreshed, segments, failed, quarantined, loaded), *_ = _query(
        marts_url,
        "select extract(epoch from refreshed_at), segment_count, failed_segment_count, "
        "rows_quarantined_count, rows_loaded_count from marts.data_freshness",
    )
    assert _value(samples, "failmap_last_refresh_timestamp_seconds") == pytest.approx(
        float(refreshed)
    )
    assert _value(samples, "failmap_segments") == segments == 90
    assert _value(samples, "failmap_failure_rate") == pytest.approx(failed / segments)
    assert _value(samples, "failmap_rows_quarantined") == quarantined == 1
    assert _value(samples, "failmap_rows_loaded") == loaded
    # The severity counts are of current patterns: resolved and inactive ones are left out.
    for severity, count in _query(
        marts_url,
        "select severity, count(*) from marts.failure_patterns"
        " where status in ('emerging', 'active') group by severity",
    ):
        assert _value(samples, "failmap_patterns_surfaced", pattern_severity=severity) == count
    by_status = dict(
        _query(marts_url, "select status, count(*) from marts.failure_patterns group by status")
    )
    for status in ("emerging", "active", "inactive", "resolved"):
        assert _value(samples, "failmap_patterns_by_status", pattern_status=status) == (
            by_status.get(status, 0)
        )
    for category, count in _query(
        marts_url,
        "select category, count(*) from marts.run_errors where match_type = 'catalog' group by 1",
    ):
        assert _value(samples, "failmap_catalog_hits_total", category=category) == count
    # good_data.sql: 9 failed runs (segments 10, 20, 30 of 3 days) + a recovered error: 10 hits.
    assert _value(samples, "failmap_catalog_hits_total", category="out_of_memory") == 10
    assert _value(samples, "failmap_catalog_misses_total") == 1
    assert _value(samples, "failmap_unknown_error_signatures") == 1
    mode = "retry_smaller_batch"
    assert _value(samples, "failmap_recovery_successes_total", mode=mode) == 1
    assert _value(samples, "failmap_recovery_failures_total", mode=mode) == 3
    assert _value(samples, "failmap_recovery_failures_total", mode="none") == 1
    # The 9 failed runs carry E_OOM; j-2-10's second error does not count its run twice.
    assert _value(samples, "failmap_failed_runs_total", error_code="E_OOM") == 9
    assert _value(samples, "failmap_failed_runs_latest_day", error_code="E_OOM") == 3
    assert _value(samples, "failmap_failed_runs_daily_average", error_code="E_OOM") == (
        pytest.approx(6 / 7)
    )
    scraped = {name.removesuffix("_total") for name, _ in samples}
    assert {spec.family_name for spec in METRICS} <= scraped  # every metric has samples
    assert "# TYPE failmap_catalog_hits_total counter" in text


# The severity counts are of what fails now: an inactive pattern (no segments lately) counts by
# status but not by severity, nor does a resolved one.
@pytest.mark.parametrize(
    ("status", "is_current"),
    [("emerging", True), ("active", True), ("inactive", False), ("resolved", False)],
)
def test_a_new_pattern_is_counted_by_status_and_by_severity_when_current(
    marts_url: str, status: str, is_current: bool
) -> None:
    _, before = _scrape(marts_url)
    with database.connect(marts_url) as conn:
        conn.execute(
            "insert into marts.failure_patterns (pattern_key, severity, first_detected_at, status)"
            " values ('lora=l09', 'high', now(), %s)",
            [status],
        )

    _, after = _scrape(marts_url)

    def added(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    high = {"pattern_severity": "high"}
    assert added("failmap_patterns_by_status", pattern_status=status) == 1
    assert added("failmap_patterns_surfaced", **high) == (1 if is_current else 0)
    # Only a current pattern counts as the newest one detected.
    assert (added("failmap_pattern_last_detected_timestamp_seconds", **high) > 0) == is_current


def test_missing_marts_are_reported_and_serve_no_samples(fresh_database_url: str) -> None:
    _, samples = _scrape(fresh_database_url)

    assert _value(samples, "failmap_database_up") == 1
    for source in SOURCES:
        if source.startswith("marts."):  # app.* tables exist from the migrations on
            assert _value(samples, "failmap_mart_available", mart=source) == 0
    names = {name for name, _ in samples}
    assert names == {
        "failmap_database_up",
        "failmap_mart_available",
        "failmap_quality_warnings_open",
    }
    assert _value(samples, "failmap_quality_warnings_open", file_kind="runs") == 0


def test_open_quality_warnings_are_counted_until_acknowledged(fresh_database_url: str) -> None:
    from failmap.quality.judgements import acknowledge_warning, judge_new_files

    with database.connect(fresh_database_url) as conn:
        file_id = conn.execute(
            "insert into raw.ingested_files (file_name, file_kind, sha256, size_bytes, status, "
            "rows_in_file, rows_loaded, rows_quarantined) values ('runs_bad.csv', 'runs', "
            "'sha-bad', 1, 'loaded', 70, 0, 70) returning file_id"
        ).fetchone()[0]
        conn.commit()
        judge_new_files(conn, "runs")
        conn.commit()

    _, open_ = _scrape(fresh_database_url)
    acknowledge_warning(fresh_database_url, file_id, "ann")
    _, acknowledged = _scrape(fresh_database_url)

    assert _value(open_, "failmap_quality_warnings_open", file_kind="runs") == 1
    assert _value(open_, "failmap_quality_warnings_open", file_kind="quality_scores") == 0
    assert _value(acknowledged, "failmap_quality_warnings_open", file_kind="runs") == 0


def test_a_mart_with_other_columns_counts_as_unavailable(marts_url: str) -> None:
    execute(marts_url, "alter table marts.run_errors rename column run_status to status")

    _, samples = _scrape(marts_url)

    assert _value(samples, "failmap_mart_available", mart="marts.run_errors") == 0
    assert _value(samples, "failmap_mart_available", mart="marts.failure_patterns") == 1
    assert ("failmap_catalog_misses_total", ()) not in samples
    assert _value(samples, "failmap_segments") == 90


def test_an_unreachable_database_is_a_zero_not_an_error(tmp_path) -> None:
    url = f"postgresql://postgres@/nowhere?host={tmp_path}"

    _, samples = _scrape(url)

    assert samples == {("failmap_database_up", ()): 0.0}


def test_cli_prints_the_metrics_once(marts_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAILMAP_DATABASE_URL", marts_url)

    result = CliRunner().invoke(main, ["metrics", "--once"])

    assert result.exit_code == 0, result.output
    assert "failmap_segments 90.0" in result.output
    served = {name for name in served_metric_names() if name in result.output}
    assert served == served_metric_names()
