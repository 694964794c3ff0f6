"""The indexed reads a configuration check needs from the marts (parameterized SQL only).

Everything heavy is precomputed by dbt (`marts.background_rates`, `marts.configuration_rates`,
`marts.prediction_parameters`, `marts.failure_patterns`); a check reads a handful of rows by
primary key. The tables are bounded by the number of distinct configurations, not segments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import psycopg

from failmap.alerts.configuration import DIMENSIONS, parse_key


class PredictionUnavailable(RuntimeError):
    """The marts a check reads are missing or empty: nothing has been refreshed yet."""


@dataclass(frozen=True)
class Parameters:
    """The hierarchy's parameters (marts.prediction_parameters)."""

    total_count: int
    failure_count: int
    background_total_count: int
    background_failure_count: int
    set_strengths: dict[str, float | None]  # `lora|character` -> prior strength (None = pooled)
    configuration_strength: float

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
    """One combination of 1-3 dimensions: all its segments and those outside every pattern."""

    total_count: int
    failure_count: int
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
    severity: str
    failure_rate: float
    failure_count: int
    total_count: int
    failure_rate_lower: float | None
    failure_rate_upper: float | None
    first_detected_at: dt.datetime | None
    last_occurrence: dt.datetime | None

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


_MISSING_HINT = "run `failmap refresh` (or `failmap up`) to build the marts from your data"


def load_snapshot(conn: psycopg.Connection) -> Snapshot:
    """Parameters, surfaced patterns and value catalog in three small queries."""
    try:
        with conn.pipeline():  # three queries, one round trip
            return _load_snapshot(conn)
    except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName) as error:
        raise PredictionUnavailable(
            f"the prediction marts do not exist yet: {_MISSING_HINT}"
        ) from error


def _load_snapshot(conn: psycopg.Connection) -> Snapshot:
    parameters_cursor = conn.execute(
        """
        select scope, total_count, failure_count, background_total_count,
               background_failure_count, prior_strength
        from marts.prediction_parameters
        """
    )
    patterns_cursor = conn.execute(
        """
        select pattern_key, aliases, description, severity,
               coalesce(current_failure_rate, failure_rate), failure_count,
               total_count, failure_rate_lower, failure_rate_upper, first_detected_at,
               last_occurrence
        from marts.failure_patterns
        where status is distinct from 'resolved'
        order by impact_rank
        """
    )
    singles_cursor = conn.execute(
        """
        select dimension_set, combination_key, total_count
        from marts.background_rates
        where dimension_count = 1
        order by combination_key
        """
    )
    rows = parameters_cursor.fetchall()
    pattern_rows = patterns_cursor.fetchall()
    singles = singles_cursor.fetchall()
    by_scope = {row[0]: row for row in rows}
    overall = by_scope.get("overall")
    configuration = by_scope.get("configuration")
    if overall is None or configuration is None or not overall[1]:
        raise PredictionUnavailable(f"there are no segments in the marts yet: {_MISSING_HINT}")
    parameters = Parameters(
        total_count=int(overall[1]),
        failure_count=int(overall[2]),
        background_total_count=int(overall[3]),
        background_failure_count=int(overall[4]),
        set_strengths={
            scope: (None if row[5] is None else float(row[5]))
            for scope, row in by_scope.items()
            if scope not in ("overall", "configuration")
        },
        configuration_strength=float(configuration[5]),
    )
    patterns = [
        Pattern(
            pattern_key=row[0],
            dimensions=parse_key(row[0]),
            aliases=tuple((alias, parse_key(alias)) for alias in row[1] or ()),
            description=row[2],
            severity=row[3],
            failure_rate=float(row[4]),
            failure_count=int(row[5]),
            total_count=int(row[6]),
            failure_rate_lower=row[7],
            failure_rate_upper=row[8],
            first_detected_at=row[9],
            last_occurrence=row[10],
        )
        for row in pattern_rows
    ]
    values: dict[str, dict[str, int]] = {d: {} for d in DIMENSIONS}
    for dimension, key, total in singles:
        values[dimension][key.split("=", 1)[1]] = int(total)
    return Snapshot(parameters=parameters, patterns=patterns, values=values)


_COMBINATIONS_SQL = """
    select combination_key, total_count, failure_count, background_total_count,
           background_failure_count
    from marts.background_rates
    where combination_key = any(%s)
"""
_CONFIGURATIONS_SQL = """
    select configuration_key, total_count, failure_count
    from marts.configuration_rates
    where configuration_key = any(%s)
"""


def load_rows(
    conn: psycopg.Connection, combination_keys: Iterable[str], configuration_keys: Iterable[str]
) -> tuple[dict[str, CombinationCounts], dict[str, tuple[int, int]]]:
    """`load_combinations` and `load_configurations` in one round trip (pipeline mode)."""
    combinations, configurations = sorted(set(combination_keys)), sorted(set(configuration_keys))
    with conn.pipeline():
        first = conn.execute(_COMBINATIONS_SQL, (combinations,)) if combinations else None
        second = conn.execute(_CONFIGURATIONS_SQL, (configurations,)) if configurations else None
        combination_rows = first.fetchall() if first else []
        configuration_rows = second.fetchall() if second else []
    return (
        {row[0]: CombinationCounts(int(row[1]), int(row[2]), int(row[3]), int(row[4]))
         for row in combination_rows},
        {row[0]: (int(row[1]), int(row[2])) for row in configuration_rows},
    )  # fmt: skip


def load_combinations(
    conn: psycopg.Connection, keys: Iterable[str]
) -> dict[str, CombinationCounts]:
    """Counts of the combinations (1-3 dimensions) among `keys` that are in the data."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = conn.execute(_COMBINATIONS_SQL, (wanted,)).fetchall()
    return {
        row[0]: CombinationCounts(int(row[1]), int(row[2]), int(row[3]), int(row[4]))
        for row in rows
    }


def load_configurations(
    conn: psycopg.Connection, keys: Iterable[str]
) -> dict[str, tuple[int, int]]:
    """(segments, failures) of the full configurations among `keys` that are in the data."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = conn.execute(_CONFIGURATIONS_SQL, (wanted,)).fetchall()
    return {row[0]: (int(row[1]), int(row[2])) for row in rows}
