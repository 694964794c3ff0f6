"""What a configuration check knows from the marts, read through `failmap.read`.

Everything heavy is precomputed by dbt (`predictions.background_rates`,
`predictions.configuration_rates`, `predictions.prediction_parameters`, `marts.failure_patterns`); a
check reads a handful of rows by primary key (the queries are in failmap/read/sql). The tables are
bounded by the number of distinct configurations, not segments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import psycopg

from failmap.alerts.configuration import DIMENSIONS, parse_key
from failmap.read import patterns, prediction
from failmap.read.patterns import Severity as PatternSeverity


class PredictionUnavailable(RuntimeError):
    """The marts a check reads are missing or empty: nothing has been refreshed yet."""


@dataclass(frozen=True)
class Parameters:
    """The hierarchy's parameters (predictions.prediction_parameters)."""

    total_count: int
    failure_count: int
    background_total_count: int
    background_failure_count: int
    set_strengths: dict[str, float | None]  # `lora|character` -> prior strength (None = pooled)
    configuration_strength: float
    # How strongly a value's rate within a pattern is shrunk toward the pattern's (None: values
    # stray no more than chance, so none shifts its pattern's rate).
    pattern_value_strength: float | None = None

    @property
    def overall_rate(self) -> float:
        return self.failure_count / self.total_count

    @property
    def background_rate(self) -> float:
        if self.background_total_count == 0:
            return self.overall_rate
        return self.background_failure_count / self.background_total_count


@dataclass(frozen=True)
class CombinationCounts:
    """One combination of 1-3 dimensions: all its segments, those on current days (inside
    patterns too) and those outside every pattern."""

    total_count: int
    failure_count: int
    current_total_count: int
    current_failure_count: int
    background_total_count: int
    background_failure_count: int


@dataclass(frozen=True)
class Pattern:
    """A current pattern (marts.failure_patterns, resolved ones left out) with the dimensions of
    its key and aliases; `failure_rate` is what it fails at now (`current_failure_rate`)."""

    pattern_key: str
    dimensions: dict[str, str]
    aliases: tuple[tuple[str, dict[str, str]], ...]
    description: str
    severity: PatternSeverity
    failure_rate: float
    failure_count: int
    total_count: int
    failure_rate_lower: float | None
    failure_rate_upper: float | None
    # The segments `failure_rate` is measured on (`current_segment_count`): its weight as a prior.
    evidence_count: int
    first_detected_at: dt.datetime | None
    last_occurrence: dt.datetime | None
    # What it does now and its most frequent failure reasons (value, share), for the output.
    status: str = "active"
    status_since: dt.date | None = None
    # The fall it came back after (failure_patterns.returned_after): not new.
    returned_after: dt.date | None = None
    top_failure_reasons: tuple[tuple[str, float], ...] = ()

    def matched_by(self, values: dict[str, str]) -> str | None:
        """The key (the pattern's own or an alias) whose every dimension the values have."""
        for key, dims in ((self.pattern_key, self.dimensions), *self.aliases):
            if all(values.get(d) == v for d, v in dims.items()):
                return key
        return None


@dataclass
class Snapshot:
    """What the marts say now: parameters, patterns and the values seen per dimension."""

    parameters: Parameters
    patterns: list[Pattern]
    # dimension -> value -> segments (all data): the catalog of known values.
    values: dict[str, dict[str, int]] = field(default_factory=dict)

    def position_labels(self) -> list[str]:
        return list(self.values.get("segment_position", {}))


# Scopes of prediction_parameters that are not a dimension set of the background hierarchy.
_OTHER_SCOPES = ("overall", "configuration", "pattern_value")

_MISSING_HINT = "run `failmap refresh` (or `failmap up`) to build the marts from your data"


def load_snapshot(conn: psycopg.Connection) -> Snapshot:
    """Parameters, surfaced patterns and value catalog in three small queries."""
    try:
        return _load_snapshot(conn)
    except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName) as error:
        raise PredictionUnavailable(
            f"the prediction marts do not exist yet: {_MISSING_HINT}"
        ) from error
    except psycopg.errors.UndefinedColumn as error:
        # Marts built by an older failmap, before a column the check reads was added.
        raise PredictionUnavailable(
            f"the marts were built by an older version of failmap "
            f"({str(error).splitlines()[0]}): {_MISSING_HINT}"
        ) from error


def _load_snapshot(conn: psycopg.Connection) -> Snapshot:
    by_scope = {row.scope: row for row in prediction.prediction_scopes(conn)}
    pattern_rows, _ = patterns.failure_patterns(conn)
    singles = prediction.single_value_counts(conn)
    overall = by_scope.get("overall")
    configuration = by_scope.get("configuration")
    if overall is None or configuration is None or not overall.total_count:
        raise PredictionUnavailable(f"there are no segments in the marts yet: {_MISSING_HINT}")
    parameters = Parameters(
        total_count=int(overall.total_count),
        failure_count=int(overall.failure_count or 0),
        background_total_count=int(overall.background_total_count or 0),
        background_failure_count=int(overall.background_failure_count or 0),
        set_strengths={
            scope: row.prior_strength
            for scope, row in by_scope.items()
            if scope not in _OTHER_SCOPES
        },
        configuration_strength=float(configuration.prior_strength or 0.0),
        pattern_value_strength=(
            by_scope["pattern_value"].prior_strength if "pattern_value" in by_scope else None
        ),
    )
    found = [
        Pattern(
            pattern_key=row.pattern_key,
            dimensions=parse_key(row.pattern_key),
            aliases=tuple((alias, parse_key(alias)) for alias in row.aliases),
            description=row.description,
            severity=row.severity,
            failure_rate=(
                row.failure_rate if row.current_failure_rate is None else row.current_failure_rate
            ),
            failure_count=row.failure_count,
            total_count=row.total_count,
            evidence_count=(
                row.total_count if row.current_segment_count is None else row.current_segment_count
            ),
            failure_rate_lower=row.failure_rate_lower,
            failure_rate_upper=row.failure_rate_upper,
            first_detected_at=row.first_detected_at,
            last_occurrence=row.last_occurrence,
            status=row.status,
            status_since=row.status_since,
            returned_after=row.returned_after,
            top_failure_reasons=tuple((r.value, r.share) for r in row.top_failure_reasons),
        )
        for row in pattern_rows
        if row.status != "resolved"
    ]
    values: dict[str, dict[str, int]] = {d: {} for d in DIMENSIONS}
    for single in singles:
        values[single.dimension_set][single.combination_key.split("=", 1)[1]] = single.total_count
    return Snapshot(parameters=parameters, patterns=found, values=values)


def _combinations(rows: list[prediction.CombinationCount]) -> dict[str, CombinationCounts]:
    return {
        row.combination_key: CombinationCounts(
            row.total_count,
            row.failure_count,
            row.current_total_count,
            row.current_failure_count,
            row.background_total_count,
            row.background_failure_count,
        )
        for row in rows
    }


def load_rows(
    conn: psycopg.Connection, combination_keys: Iterable[str], configuration_keys: Iterable[str]
) -> tuple[dict[str, CombinationCounts], dict[str, tuple[int, int]]]:
    """`load_combinations` and `load_configurations` together."""
    return load_combinations(conn, combination_keys), load_configurations(conn, configuration_keys)


def load_combinations(
    conn: psycopg.Connection, keys: Iterable[str]
) -> dict[str, CombinationCounts]:
    """Counts of the combinations (1-3 dimensions) among `keys` that are in the data."""
    return _combinations(prediction.combination_counts(conn, sorted(set(keys))))


def load_configurations(
    conn: psycopg.Connection, keys: Iterable[str]
) -> dict[str, tuple[int, int]]:
    """(segments, failures) of the full configurations among `keys` that are in the data."""
    rows = prediction.configuration_counts(conn, sorted(set(keys)))
    return {row.configuration_key: (row.total_count, row.failure_count) for row in rows}
