"""What a configuration check reads: the prediction parameters and counts by primary key.

Everything heavy is precomputed by dbt (predictions.background_rates,
predictions.configuration_rates, predictions.prediction_parameters); a check reads a handful of
rows. Its patterns come from `failmap.read.patterns.failure_patterns`, like every other
surface's.
"""

from __future__ import annotations

import psycopg

from failmap.read.core import Row, fetch

RELATIONS = (
    "predictions.prediction_parameters",
    "predictions.background_rates",
    "predictions.configuration_rates",
    "marts.failure_patterns",
)


class PredictionScope(Row):
    """The hierarchy's parameters of one scope (predictions.prediction_parameters)."""

    scope: str
    total_count: int | None
    failure_count: int | None
    background_total_count: int | None
    background_failure_count: int | None
    prior_strength: float | None


class SingleValueCount(Row):
    """Segments of one value of one dimension (`dimension_set` is the dimension)."""

    dimension_set: str
    combination_key: str
    total_count: int


class CombinationCount(Row):
    """One combination of 1-3 dimensions: all its segments, those on current days and those
    outside every pattern."""

    combination_key: str
    total_count: int
    failure_count: int
    current_total_count: int
    current_failure_count: int
    background_total_count: int
    background_failure_count: int


class ConfigurationCount(Row):
    """One full configuration's segments and failures."""

    configuration_key: str
    total_count: int
    failure_count: int


def prediction_scopes(conn: psycopg.Connection) -> list[PredictionScope]:
    return fetch(conn, "prediction_parameters", PredictionScope)


def single_value_counts(conn: psycopg.Connection) -> list[SingleValueCount]:
    return fetch(conn, "single_value_counts", SingleValueCount)


def combination_counts(conn: psycopg.Connection, keys: list[str]) -> list[CombinationCount]:
    """The combinations among `keys` that are in the data (none asked: none read)."""
    return fetch(conn, "combination_counts", CombinationCount, keys=keys) if keys else []


def configuration_counts(conn: psycopg.Connection, keys: list[str]) -> list[ConfigurationCount]:
    """The full configurations among `keys` that are in the data (none asked: none read)."""
    return fetch(conn, "configuration_counts", ConfigurationCount, keys=keys) if keys else []
