"""`check_configuration`: how risky is a configuration, what is known about it, what instead.

Non-blocking: it warns, it never refuses. Every check is logged to `app.alert_log`.
Method and thresholds: docs/alerts.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import psycopg
from psycopg.rows import kwargs_row
from psycopg.types.json import Jsonb

from failmap.alerts.alternatives import find_alternatives, value_text
from failmap.alerts.configuration import CHOSEN_DIMENSIONS, Configuration
from failmap.alerts.prediction import CellPrediction, Predictor, Slot, plan_slots, weighted
from failmap.alerts.result import (
    CheckResult,
    CompatibilityNote,
    KnownFix,
    MatchedPattern,
    PositionPrediction,
    ReasonShare,
    ScenePrediction,
    percent,
)
from failmap.alerts.store import PredictionUnavailable, Snapshot, load_snapshot
from failmap.alerts.thresholds import rate_severity, severity_rank, worst
from failmap.connections import DatabaseSource, open_connection
from failmap.fixes import fixes_for
from failmap.read.patterns import fix_measurements

MAX_SOURCE_LENGTH = 50


def check_configuration(
    database: DatabaseSource,
    *,
    workflow: str,
    model: str,
    scene_type: str,
    lora: str | None = None,
    character: str | None = None,
    segment_position: int | str | None = None,
    segments: int | None = None,
    source: str = "python",
    log: bool = True,
) -> CheckResult:
    """Check a configuration before generating it: severity, predicted rate, patterns, fixes.

    `database`: a URL, a psycopg connection or a SQLAlchemy engine/connection
    (`failmap.connections`); everything runs in one transaction (a savepoint when the caller's
    connection already has one open). `lora`/`character` None or empty mean none.
    `segment_position`: check one position (7) or one bucket (`"6+"`); `segments=N`: a whole
    scene of N segments (per position and for the scene); neither: every position. `source`
    is logged with the check (`cli`, `dashboard`, `api`, ...). `log=False` skips
    `app.alert_log`; only for what-if evaluations that are not someone's check (calibration,
    benchmarks).

    Raises `ConfigurationError` (invalid input, field by field) and `PredictionUnavailable`
    (nothing refreshed yet). Values never seen are fine: the prediction backs off to what is
    known and the result says so (`is_new_configuration`, `unknown_values`).
    """
    configuration = Configuration.build(
        workflow=workflow,
        model=model,
        lora=lora,
        character=character,
        scene_type=scene_type,
        segment_position=segment_position,
        segments=segments,
    )
    source = (source or "python").strip()[:MAX_SOURCE_LENGTH]
    with open_connection(database) as conn, conn.transaction():
        snapshot = load_snapshot(conn)
        predictor = Predictor(conn, snapshot)
        result = _evaluate(conn, predictor, snapshot, configuration)
        if log:
            result.alert_id, result.checked_at = _log_check(conn, result, source)
    return result


def _evaluate(
    conn: psycopg.Connection,
    predictor: Predictor,
    snapshot: Snapshot,
    configuration: Configuration,
) -> CheckResult:
    slots = plan_slots(configuration, snapshot)
    if not slots:
        raise PredictionUnavailable("no segment positions in the marts: run `failmap refresh`")
    chosen = configuration.chosen_values()
    predictions = predictor.predict([{**chosen, "segment_position": s.bucket} for s in slots])
    overall_rate = snapshot.parameters.overall_rate
    positions = [
        _position(slot, prediction, overall_rate)
        for slot, prediction in zip(slots, predictions, strict=True)
    ]
    rate, lower, upper = weighted(slots, predictions)
    severity = worst([position.severity for position in positions])
    patterns = _matched_patterns(conn, slots, predictions)
    unknown = {
        dimension: chosen[dimension]
        for dimension in CHOSEN_DIMENSIONS
        if chosen[dimension] not in snapshot.values.get(dimension, {})
    }
    is_new = all(prediction.total_count == 0 for prediction in predictions)
    result = CheckResult(
        configuration=configuration.to_dict(),
        severity=severity,
        predicted_failure_rate=rate,
        lower=lower,
        upper=upper,
        confidence_level=predictor.confidence_level,
        overall_failure_rate=overall_rate,
        is_new_configuration=is_new,
        unknown_values=unknown,
        positions=positions,
        scene=_scene(configuration, slots, predictions),
        patterns=patterns,
        notes=_notes(conn, chosen),
        messages=_messages(severity, rate, overall_rate, unknown, is_new),
        checked_at=dt.datetime.now(dt.UTC),
    )
    if severity != "none":
        result.alternatives = find_alternatives(predictor, configuration, slots, rate)
        if not result.alternatives:
            result.messages.append(
                "No alternative: no single workflow, model or LoRA swap with enough data "
                "credibly lowers the rate."
            )
    return result


def _position(slot: Slot, prediction: CellPrediction, overall_rate: float) -> PositionPrediction:
    severities = [rate_severity(prediction.predicted_failure_rate, prediction.lower, overall_rate)]
    severities += [
        match.pattern.severity for match in prediction.patterns if not match.fares_better
    ]
    return PositionPrediction(
        position_bucket=slot.bucket,
        positions=list(slot.positions) if slot.positions else None,
        weight=slot.weight,
        predicted_failure_rate=prediction.predicted_failure_rate,
        lower=prediction.lower,
        upper=prediction.upper,
        severity=worst(severities),
        configuration_key=prediction.configuration_key,
        observed_total_count=prediction.total_count,
        observed_failure_count=prediction.failure_count,
        background_rate=prediction.background_rate,
        pattern_rate=prediction.pattern_rate,
        prior_rate=prediction.prior_rate,
        pattern_keys=[match.pattern.pattern_key for match in prediction.patterns],
    )


def _scene(
    configuration: Configuration, slots: Sequence[Slot], predictions: Sequence[CellPrediction]
) -> ScenePrediction | None:
    if configuration.segments is None:
        return None
    expected = 0.0
    all_pass = 1.0
    lower = upper = 0.0
    for slot, prediction in zip(slots, predictions, strict=True):
        count = len(slot.positions or ())
        expected += count * prediction.predicted_failure_rate
        all_pass *= (1 - prediction.predicted_failure_rate) ** count
        lower += count * prediction.lower
        upper += count * prediction.upper
    n = configuration.segments
    return ScenePrediction(
        segments=n,
        predicted_failure_rate=expected / n,
        lower=lower / n,
        upper=upper / n,
        expected_failed_segments=expected,
        probability_any_failure=1 - all_pass,
    )


def _matched_patterns(
    conn: psycopg.Connection, slots: Sequence[Slot], predictions: Sequence[CellPrediction]
) -> list[MatchedPattern]:
    found: dict[str, MatchedPattern] = {}
    for slot, prediction in zip(slots, predictions, strict=True):
        for match in prediction.patterns:
            pattern = match.pattern
            if pattern.pattern_key not in found:
                found[pattern.pattern_key] = MatchedPattern(
                    pattern_key=pattern.pattern_key,
                    matched_by=match.matched_by,
                    description=pattern.description,
                    severity=pattern.severity,
                    failure_rate=pattern.failure_rate,
                    failure_count=pattern.failure_count,
                    total_count=pattern.total_count,
                    position_buckets=[],
                    fares_better=True,
                    status=pattern.status,  # type: ignore[arg-type]
                    status_since=pattern.status_since,
                    returned_after=pattern.returned_after,
                    top_failure_reasons=[
                        ReasonShare(value=value, share=share)
                        for value, share in pattern.top_failure_reasons
                    ],
                )
            matched = found[pattern.pattern_key]
            matched.position_buckets.append(slot.bucket)
            matched.configuration_rate = max(matched.configuration_rate or 0.0, match.shifted_rate)
            matched.fares_better = matched.fares_better and match.fares_better
    if found:
        # What the data measured of each fix (none before the refresh that builds the mart).
        measured = fix_measurements(conn)
        for fix in fixes_for(conn, list(found)):
            measurement = measured.get(fix.fix_id)
            found[fix.pattern_key].fixes.append(
                KnownFix(
                    fix_id=fix.fix_id,
                    pattern_key=fix.pattern_key,
                    description=fix.description,
                    parameters=fix.parameters,
                    effectiveness=fix.effectiveness,  # type: ignore[arg-type]
                    reported_by=fix.reported_by,
                    created_at=fix.created_at,
                    measured_verdict=measurement.measured_verdict if measurement else None,
                    before_failure_rate=measurement.before_failure_rate if measurement else None,
                    after_failure_rate=measurement.after_failure_rate if measurement else None,
                    masked_by_changes=(
                        measurement.masked_by_changes.split("; ")
                        if measurement and measurement.masked_by_changes
                        else []
                    ),
                    rose_again_on=measurement.rose_again_on if measurement else None,
                )
            )
    return sorted(
        found.values(),
        key=lambda p: (-severity_rank(p.severity), -p.failure_rate, p.pattern_key),
    )


def _notes(conn: psycopg.Connection, chosen: dict[str, str]) -> list[CompatibilityNote]:
    with conn.cursor(row_factory=kwargs_row(CompatibilityNote)) as cursor:
        return cursor.execute(
            """
            select note_id, dimension, dimension_value, note, fix_id, reported_by, created_at
            from app.compatibility_notes
            where (dimension, dimension_value) in (
                select wanted.dimension, wanted.dimension_value
                from unnest(%s::text[], %s::text[]) as wanted (dimension, dimension_value)
            )
            order by created_at desc, note_id desc
            limit 20
            """,
            (list(chosen), list(chosen.values())),
        ).fetchall()


def _messages(
    severity: str,
    rate: float,
    overall_rate: float,
    unknown: dict[str, str],
    is_new: bool,
) -> list[str]:
    messages = [
        f"{_capitalized(value_text(dimension, value))} has never been seen: the prediction "
        "backs off to what is known about the other values."
        for dimension, value in unknown.items()
    ]
    if is_new and not unknown:
        # The counts are over the cells' current days (int_cells_current), not all the data: a
        # configuration generated only before such a day (its model's or workflow's latest
        # version change judged a regression or improvement, say) has none.
        messages.append(
            "No segment of exactly this configuration on the days the prediction learns from "
            "(since the latest version change of its model or workflow judged a regression or "
            "improvement, or start or fall of a pattern it lies in; its whole history when "
            "there is none): the prediction combines what is known about its parts (pairs, single "
            "values, the overall rate)."
        )
    if severity == "none":
        messages.append(
            f"No known risk: predicted {percent(rate)} per segment vs {percent(overall_rate)} "
            "typical."
        )
    return messages


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _log_check(
    conn: psycopg.Connection, result: CheckResult, source: str
) -> tuple[int, dt.datetime]:
    row = conn.execute(
        """
        insert into app.alert_log
            (checked_at, configuration, severity, predicted_failure_rate, matched_pattern_keys,
             source)
        values (%s, %s, %s, %s, %s, %s)
        returning alert_id, checked_at
        """,
        (
            result.checked_at,
            Jsonb(result.configuration),
            result.severity,
            result.predicted_failure_rate,
            [pattern.pattern_key for pattern in result.patterns],
            source,
        ),
    ).fetchone()
    assert row is not None
    return row[0], row[1]
