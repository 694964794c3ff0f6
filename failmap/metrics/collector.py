"""Compute failmap's Prometheus metrics from the marts at scrape time.

Each scrape reads the marts through the read layer (failmap/read) in one read-only transaction
(cached for a few seconds so several scrapers do not multiply the load). A mart that does not
exist yet (its feature has not landed, or no refresh has built it) yields
`failmap_mart_available{mart="..."} 0` and no samples for the metrics it feeds, never an error;
an unreachable database yields `failmap_database_up 0`.

Totals that only grow as data arrives are counters (`_total`): let Prometheus window them with
`increase()`. Levels and event-time windows (the latest day in the data) are gauges.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, get_args

import psycopg
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from pydantic import ValidationError

from failmap import database
from failmap.read import data, metrics
from failmap.read.core import missing_relations
from failmap.read.patterns import Status

log = logging.getLogger(__name__)

Kind = Literal["gauge", "counter"]
SEVERITIES = ("low", "medium", "high")
# Days before the latest day that make the baseline of the error-code spike.
SPIKE_BASELINE_DAYS = 7


@dataclass(frozen=True)
class MetricSpec:
    """One metric family: its name as scraped, what it means, where it comes from."""

    name: str
    kind: Kind
    help: str
    labels: tuple[str, ...] = ()
    source: str = ""

    @property
    def family_name(self) -> str:
        """The name prometheus_client wants (counters without their `_total`)."""
        return self.name.removesuffix("_total") if self.kind == "counter" else self.name


METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("failmap_database_up", "gauge", "1 when the database answered this scrape, else 0."),
    MetricSpec(
        "failmap_mart_available",
        "gauge",
        "1 when the mart exists (its feature landed and a refresh built it), else 0.",
        ("mart",),
    ),
    MetricSpec(
        "failmap_last_refresh_timestamp_seconds",
        "gauge",
        "When the marts were last rebuilt (Unix time).",
        source="marts.data_freshness",
    ),
    MetricSpec(
        "failmap_last_file_loaded_timestamp_seconds",
        "gauge",
        "When the most recent inbox file was loaded (Unix time).",
        source="marts.data_freshness",
    ),
    MetricSpec("failmap_segments", "gauge", "Segments in the data.", source="marts.data_freshness"),
    MetricSpec(
        "failmap_failed_segments",
        "gauge",
        "Segments with at least one failed quality check.",
        source="marts.data_freshness",
    ),
    MetricSpec(
        "failmap_failure_rate",
        "gauge",
        "Overall failure rate: failed segments / segments (0 to 1).",
        source="marts.data_freshness",
    ),
    MetricSpec(
        "failmap_rows_loaded",
        "gauge",
        "Rows loaded from all inbox files.",
        source="marts.data_freshness",
    ),
    MetricSpec(
        "failmap_rows_quarantined",
        "gauge",
        "Rows quarantined for breaking the input contract.",
        source="marts.data_freshness",
    ),
    MetricSpec(
        "failmap_files_rejected",
        "gauge",
        "Inbox files rejected as a whole (unreadable, wrong header).",
        source="marts.data_freshness",
    ),
    MetricSpec(
        "failmap_patterns_surfaced",
        "gauge",
        "Current failure patterns (emerging or active: not resolved, and with segments "
        "lately) by severity (low, medium, high).",
        ("pattern_severity",),
        source="marts.failure_patterns",
    ),
    MetricSpec(
        "failmap_patterns_by_status",
        "gauge",
        "Surfaced failure patterns by status (emerging, active, inactive, resolved).",
        ("pattern_status",),
        source="marts.failure_patterns",
    ),
    MetricSpec(
        "failmap_pattern_last_detected_timestamp_seconds",
        "gauge",
        "When the newest current pattern of a severity was first detected (Unix time).",
        ("pattern_severity",),
        source="marts.failure_patterns",
    ),
    MetricSpec(
        "failmap_catalog_hits_total",
        "counter",
        "Run errors the error catalog classified, by category.",
        ("category",),
        source="marts.run_errors",
    ),
    MetricSpec(
        "failmap_catalog_misses_total",
        "counter",
        "Run errors no catalog entry matched (grouped into signatures instead).",
        source="marts.run_errors",
    ),
    MetricSpec(
        "failmap_unknown_error_signatures",
        "gauge",
        "Distinct signatures of the errors the catalog does not know.",
        source="marts.run_errors",
    ),
    MetricSpec(
        "failmap_recovery_successes_total",
        "counter",
        "Run errors a recovery got past (the run went on), by the catalog's recovery mode.",
        ("mode",),
        source="marts.run_errors",
    ),
    MetricSpec(
        "failmap_recovery_failures_total",
        "counter",
        "Run errors an attempted recovery did not get past, by the catalog's recovery mode.",
        ("mode",),
        source="marts.run_errors",
    ),
    MetricSpec(
        "failmap_failed_runs_total",
        "counter",
        "Failed runs by error code (`none` when the run carries none).",
        ("error_code",),
        source="marts.run_errors",
    ),
    MetricSpec(
        "failmap_failed_runs_latest_day",
        "gauge",
        "Failed runs by error code on the latest day in the data.",
        ("error_code",),
        source="marts.run_errors",
    ),
    MetricSpec(
        "failmap_failed_runs_daily_average",
        "gauge",
        f"Failed runs per day by error code over the {SPIKE_BASELINE_DAYS} days before the "
        "latest day in the data (the baseline of the spike alert).",
        ("error_code",),
        source="marts.run_errors",
    ),
    MetricSpec(
        "failmap_quality_warnings_open",
        "gauge",
        "Delivered files with an open data-quality warning (most rows quarantined; judged once "
        "at arrival, open until acknowledged), by file kind. Warnings never block a refresh.",
        ("file_kind",),
        source="app.file_judgements",
    ),
)

# Every mart (or model) a metric reads, reported by failmap_mart_available.
SOURCES = tuple(sorted({spec.source for spec in METRICS if spec.source}))

Samples = dict[str, list[tuple[tuple[str, ...], float]]]


@dataclass
class Snapshot:
    """The values of one scrape."""

    samples: Samples = field(default_factory=dict)

    def add(self, name: str, value: float | None, *labels: str) -> None:
        if value is not None:
            self.samples.setdefault(name, []).append((labels, float(value)))


def _epoch(moment: dt.datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def _freshness(conn: psycopg.Connection, snapshot: Snapshot) -> None:
    row = data.data_freshness(conn)
    if row is None:
        return
    snapshot.add("failmap_last_refresh_timestamp_seconds", _epoch(row.refreshed_at))
    snapshot.add("failmap_last_file_loaded_timestamp_seconds", _epoch(row.last_file_loaded_at))
    snapshot.add("failmap_segments", row.segment_count)
    snapshot.add("failmap_failed_segments", row.failed_segment_count)
    rate = row.failed_segment_count / row.segment_count if row.segment_count else 0.0
    snapshot.add("failmap_failure_rate", rate)
    snapshot.add("failmap_rows_loaded", row.rows_loaded_count)
    snapshot.add("failmap_rows_quarantined", row.rows_quarantined_count)
    snapshot.add("failmap_files_rejected", row.files_rejected_count)


def _patterns(conn: psycopg.Connection, snapshot: Snapshot) -> None:
    found = {row.severity: row for row in metrics.pattern_severity_counts(conn)}
    for severity in SEVERITIES:
        row = found.get(severity)
        snapshot.add("failmap_patterns_surfaced", row.pattern_count if row else 0, severity)
        detected = _epoch(row.last_detected_at) if row else None
        snapshot.add("failmap_pattern_last_detected_timestamp_seconds", detected, severity)
    by_status = {row.status: row.pattern_count for row in metrics.pattern_status_counts(conn)}
    for status in get_args(Status):
        snapshot.add("failmap_patterns_by_status", by_status.get(status, 0), status)


def _run_errors(conn: psycopg.Connection, snapshot: Snapshot) -> None:
    for hits in metrics.catalog_hits(conn):
        snapshot.add("failmap_catalog_hits_total", hits.error_count, hits.category)
    misses = metrics.catalog_misses(conn)
    snapshot.add("failmap_catalog_misses_total", misses.error_count)
    snapshot.add("failmap_unknown_error_signatures", misses.signature_count)
    for outcome in metrics.recovery_outcomes(conn):
        mode = outcome.recovery_mode
        snapshot.add("failmap_recovery_successes_total", outcome.succeeded_count, mode)
        snapshot.add("failmap_recovery_failures_total", outcome.failed_count, mode)


def _failed_runs(conn: psycopg.Connection, snapshot: Snapshot) -> None:
    for row in metrics.failed_runs_by_error_code(conn, SPIKE_BASELINE_DAYS):
        snapshot.add("failmap_failed_runs_total", row.failed_run_count, row.error_code)
        snapshot.add("failmap_failed_runs_latest_day", row.latest_day_count, row.error_code)
        snapshot.add("failmap_failed_runs_daily_average", row.daily_average, row.error_code)


def _quality_warnings(conn: psycopg.Connection, snapshot: Snapshot) -> None:
    found = {row.file_kind: row.warning_count for row in metrics.open_quality_warnings(conn)}
    for file_kind in sorted({"quality_scores", "runs", *found}):
        snapshot.add("failmap_quality_warnings_open", found.get(file_kind, 0), file_kind)


READERS = {
    "marts.data_freshness": (_freshness,),
    "marts.failure_patterns": (_patterns,),
    "marts.run_errors": (_run_errors, _failed_runs),
    "app.file_judgements": (_quality_warnings,),
}


def read_snapshot(url: str) -> Snapshot:
    """Every metric's samples, read from the marts in one read-only transaction."""
    snapshot = Snapshot()
    try:
        with database.connect(url) as conn:
            conn.read_only = True
            available = set(SOURCES) - set(missing_relations(conn, SOURCES))
            for source, readers in READERS.items():
                if source not in available:
                    continue
                part = Snapshot()
                try:
                    with conn.transaction():  # a savepoint: one bad mart spoils only itself
                        for read in readers:
                            read(conn, part)
                except (psycopg.Error, ValidationError) as error:
                    # Columns that differ from the contract: the mart counts as unavailable.
                    log.warning("metrics from %s skipped: %s", source, error)
                    available.discard(source)
                    continue
                for name, samples in part.samples.items():
                    snapshot.samples.setdefault(name, []).extend(samples)
    except database.DatabaseUnreachable as error:
        log.warning("metrics: %s", error)
        return Snapshot({"failmap_database_up": [((), 0.0)]})
    snapshot.add("failmap_database_up", 1.0)
    for source in SOURCES:
        snapshot.add("failmap_mart_available", source in available, source)
    return snapshot


class MartsCollector(Collector):
    """A prometheus_client collector that reads the marts, at most every `cache_seconds`."""

    def __init__(self, url: str, cache_seconds: float = 10.0) -> None:
        self.url = url
        self.cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._cached: tuple[float, Snapshot] | None = None

    def snapshot(self) -> Snapshot:
        with self._lock:
            now = time.monotonic()
            if self._cached is None or now - self._cached[0] >= self.cache_seconds:
                self._cached = (now, read_snapshot(self.url))
            return self._cached[1]

    def describe(self) -> list[Metric]:
        # No samples at registration time: describing must not query the database.
        return []

    def collect(self) -> Iterator[Metric]:
        samples = self.snapshot().samples
        for spec in METRICS:
            family_type = CounterMetricFamily if spec.kind == "counter" else GaugeMetricFamily
            family = family_type(spec.family_name, spec.help, labels=list(spec.labels))
            for labels, value in samples.get(spec.name, []):
                family.add_metric(list(labels), value)
            yield family


def served_metric_names() -> set[str]:
    """Every metric name a scrape can contain (counters with their `_total`)."""
    return {spec.name for spec in METRICS}
