"""marts.fix_effectiveness and marts.kpis on a small hand-made history with known answers.

Sixty days, 100 segments a day, one check per segment (a segment fails when its check fails):

- pattern A `model=m9|scene_type=action` (no LoRA, no character), 10 a day: 40 % failing until
  day 30, 5 % from day 31 (its fix on day 30 worked);
- pattern B `character=cB`, 10 a day: 40 % failing throughout (its fix on day 30 did nothing);
- pattern W `workflow=w9`, 10 a day, 40 % failing, no fix (B and W spread evenly over models
  m1/m2 and scenes, so no pair of dimensions holds them);
- model m9 in dialogue scenes, 10 a day, and 60 background segments a day: 5 % failing.

Failures rotate over the segments of a day so every position and background cell fails at
exactly the same rate over the window (nothing else is a pattern). Fixes and checks are
inserted into the app tables with chosen timestamps; the expected numbers are recomputed here
from the generated rows.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from scipy.stats import hypergeom, norm

from failmap import database
from tests.dbt.conftest import run_dbt

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
DAYS = 60
A = "model=m9|scene_type=action"
B = "character=cB"
W = "workflow=w9"
WINDOW, ALPHA, IMPROVEMENT, POWER = 28, 0.05, 0.5, 0.8  # dbt vars' defaults


@dataclass(frozen=True)
class Segment:
    segment_id: str
    day: int
    evaluated_at: dt.datetime
    workflow: str
    model: str
    lora: str | None
    character: str | None
    scene_type: str
    position: int
    failed: bool


def _group(
    name: str, day: int, count: int, fails: Callable[[int], bool], dims: Callable[[int], tuple]
) -> list[Segment]:
    segments = []
    for i in range(count):
        workflow, model, lora, character, scene_type = dims(i)
        segments.append(
            Segment(
                segment_id=f"{name}-{day:02d}-{i:02d}",
                day=day,
                evaluated_at=START + dt.timedelta(days=day, hours=10, minutes=i),
                workflow=workflow,
                model=model,
                lora=lora,
                character=character,
                scene_type=scene_type,
                position=i % 5 + 1,
                failed=fails(i),
            )
        )
    return segments


def _model(i: int) -> str:
    return ("m1", "m2")[i % 2]


def _character(i: int) -> str | None:
    return ("cA", None, "cC")[i // 4 % 3]


def _scene(i: int) -> str:
    return ("action", "dialogue")[i // 2 % 2]


def _history() -> list[Segment]:
    segments: list[Segment] = []
    for day in range(DAYS):

        def often(i: int, day: int = day) -> bool:  # 4 of 10, rotating
            return (i + day) % 10 < 4

        def rarely(i: int, day: int = day) -> bool:  # 1 of 20, rotating
            return (i + day) % 20 == 0

        segments += _group(
            "a",
            day,
            10,
            often if day <= 30 else rarely,
            lambda i: ("w1", "m9", None, _character(i), "action"),
        )
        # B and W spread evenly over models, scenes and characters like the background, so
        # no pair of dimensions holds them (A's other dimensions vary the same way).
        segments += _group("b", day, 10, often, lambda i: ("w1", _model(i), None, "cB", _scene(i)))
        segments += _group(
            "w", day, 10, often, lambda i: ("w9", _model(i), None, _character(i), _scene(i))
        )
        segments += _group(
            "d", day, 10, rarely, lambda i: ("w1", "m9", None, _character(i), "dialogue")
        )
        segments += _group(
            "bg", day, 60, rarely, lambda i: ("w1", _model(i), None, _character(i), _scene(i))
        )
    return segments


FIXES = [  # fix id order: (pattern, day recorded, reported effectiveness)
    (A, 30, "resolved"),
    (B, 30, "resolved"),
    (A, 58, "improved"),
]
WARNED = {"workflow": "w1", "model": "m9", "lora": "none", "character": "none",
          "scene_type": "action"}  # fmt: skip
CHECKS = [  # (configuration, day, severity)
    ({"workflow": "w1", "model": "m9", "lora": "none", "character": "none",
      "scene_type": "action", "segments": 5}, 30, "medium"),
    ({"workflow": "w1", "model": "m9", "lora": None, "character": None,
      "scene_type": "action", "segment_position": 2}, 40, "medium"),
    ({"workflow": "w1", "model": "m1", "lora": "none", "character": "cA",
      "scene_type": "dialogue"}, 35, "none"),
]  # fmt: skip


def _in(segment: Segment, key: str) -> bool:
    values = {
        "workflow": segment.workflow, "model": segment.model, "lora": segment.lora or "none",
        "character": segment.character or "none", "scene_type": segment.scene_type,
        "segment_position": (
            "6+" if segment.position >= 6 else "4-5" if segment.position >= 4 else "1-3"
        ),
    }  # fmt: skip
    return all(values.get(d) == v for d, v in (part.split("=") for part in key.split("|")))


@pytest.fixture(scope="module")
def built(module_database: str, dbt_target) -> tuple[str, list[Segment]]:
    segments = _history()
    with database.connect(module_database) as conn, conn.cursor() as cursor:
        with cursor.copy(
            "copy raw.quality_scores (score_id, evaluated_at, job_id, segment_id,"
            " segment_position, workflow, model, lora, character, scene_type, check_name,"
            " passed, file_id, source_line) from stdin"
        ) as copy:
            for line, s in enumerate(segments):
                copy.write_row((
                    f"qs-{s.segment_id}", s.evaluated_at, f"job-{s.segment_id[:-1]}",
                    s.segment_id, s.position, s.workflow, s.model, s.lora, s.character,
                    s.scene_type, "motion_artifacts", not s.failed, 1, line,
                ))  # fmt: skip
        for pattern, day, effectiveness in FIXES:
            cursor.execute(
                "insert into app.pattern_fixes (pattern_key, fix_description, effectiveness,"
                " reported_by, created_at) values (%s, 'hand-made', %s, 'test', %s)",
                (pattern, effectiveness, START + dt.timedelta(days=day, hours=12)),
            )
        for configuration, day, severity in CHECKS:
            cursor.execute(
                "insert into app.alert_log (checked_at, configuration, severity, source)"
                " values (%s, %s::jsonb, %s, 'test')",
                (START + dt.timedelta(days=day, hours=12), _json(configuration), severity),
            )
        conn.commit()
    mine = ["stg_app__pattern_fixes+", "stg_app__alert_log+"]  # fix_effectiveness, kpis
    run_dbt(module_database, ["run", "--select", "+fix_effectiveness", "+kpis", "+failure_patterns",
                              "--exclude", *mine], dbt_target)  # fmt: skip
    run_dbt(module_database, ["build", "--select", *mine], dbt_target)
    return module_database, segments


def _json(value: dict) -> str:
    import json

    return json.dumps(value)


def _rows(url: str, sql: str) -> list[dict]:
    with database.connect(url) as conn:
        cursor = conn.execute(sql)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _surfaced(url: str) -> set[str]:
    rows = _rows(url, "select pattern_key from marts.failure_patterns")
    return {row["pattern_key"] for row in rows}


def test_the_hand_made_patterns_surface(built) -> None:
    url, _ = built
    assert {A, B, W} <= _surfaced(url)


def _window(segments: list[Segment], key: str, day: int) -> tuple[int, int, int, int]:
    mine = [s for s in segments if _in(s, key)]
    before = [s for s in mine if day - WINDOW <= s.day < day]
    after = [s for s in mine if s.day > day]
    return (len(before), sum(s.failed for s in before), len(after), sum(s.failed for s in after))


def _required(before_rate: float) -> int:
    """The larger of the normal and the arcsine (Cohen's h) one-sample sizes."""
    later = before_rate * (1 - IMPROVEMENT)
    root = (
        norm.ppf(1 - ALPHA) * (before_rate * (1 - before_rate)) ** 0.5
        + norm.ppf(POWER) * (later * (1 - later)) ** 0.5
    )
    h = 2 * math.asin(before_rate**0.5) - 2 * math.asin(later**0.5)
    return max(
        math.ceil((root / (before_rate - later)) ** 2),
        math.ceil(((norm.ppf(1 - ALPHA) + norm.ppf(POWER)) / h) ** 2),
    )


def test_fix_effectiveness_counts_tests_and_verdicts(built) -> None:
    url, segments = built
    rows = _rows(url, "select * from marts.fix_effectiveness order by fix_id")
    expected_verdicts = [("verified", True), ("ineffective", False), ("too_early", None)]
    assert len(rows) == len(FIXES)
    for row, (pattern, day, reported), (verdict, agrees) in zip(
        rows, FIXES, expected_verdicts, strict=True
    ):
        n_before, x_before, n_after, x_after = _window(segments, pattern, day)
        assert (row["pattern_key"], row["reported_effectiveness"]) == (pattern, reported)
        assert (row["before_total_count"], row["before_failure_count"]) == (n_before, x_before)
        assert (row["after_total_count"], row["after_failure_count"]) == (n_after, x_after)
        assert row["before_failure_rate"] == pytest.approx(x_before / n_before)
        assert row["after_failure_rate"] == pytest.approx(x_after / n_after)
        total, failures = n_before + n_after, x_before + x_after
        p_value = hypergeom.sf(x_before - 1, total, failures, n_before)
        assert row["p_value"] == pytest.approx(p_value, rel=1e-6, abs=1e-12)
        assert row["required_after_count"] == _required(x_before / n_before)
        assert (row["measured_verdict"], row["does_measurement_agree"]) == (verdict, agrees)
        assert row["is_pattern_active"] is (pattern in _surfaced(url))


def test_kpis(built) -> None:
    url, segments = built
    kpis = {row["kpi"]: row for row in _rows(url, "select * from marts.kpis")}

    share = kpis["patterns_with_fix_share"]
    # Current patterns only: a resolved one no longer needs a fix (docs/alerts.md).
    current = {
        row["pattern_key"]
        for row in _rows(
            url, "select pattern_key from marts.failure_patterns where status != 'resolved'"
        )
    }
    fixed = {pattern for pattern, _, _ in FIXES} & current
    assert (share["numerator"], share["denominator"]) == (len(fixed), len(current))
    assert share["value"] == pytest.approx(len(fixed) / len(current))

    history = _rows(url, "select pattern_key, first_detected_at from marts.pattern_history")
    lags = [
        (row["first_detected_at"]
         - min(s.evaluated_at for s in segments if s.failed and _in(s, row["pattern_key"])))
        .total_seconds() / 3600
        for row in history
    ]  # fmt: skip
    assert kpis["detection_lag_hours_median"]["value"] == pytest.approx(statistics.median(lags))
    assert kpis["detection_lag_hours_median"]["denominator"] == len(history)

    warned_day = min(day for _, day, severity in CHECKS if severity != "none")
    warned = "|".join(f"{d}={v}" for d, v in WARNED.items())
    n_before, x_before, n_after, x_after = _window(segments, warned, warned_day)
    before, after = kpis["failure_rate_before_warning"], kpis["failure_rate_after_warning"]
    assert (before["numerator"], before["denominator"]) == (x_before, n_before)
    assert (after["numerator"], after["denominator"]) == (x_after, n_after)
    assert before["value"] == pytest.approx(x_before / n_before) and x_before / n_before > 0.3
    assert kpis["failure_rate_change_after_warning"]["value"] == pytest.approx(
        x_after / n_after - x_before / n_before
    )
    assert kpis["configuration_checks"]["value"] == len(CHECKS)
    assert kpis["warned_check_share"]["value"] == pytest.approx(2 / 3)
    assert {row["unit"] for row in kpis.values()} <= {"hours", "share", "rate", "count"}
