"""check_configuration on the demo data against its planted truth (failmap.demo.PLANTED)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import psycopg
import pytest

from failmap import database
from failmap.alerts import (
    ConfigurationError,
    PredictionUnavailable,
    check_configuration,
)
from failmap.alerts.thresholds import severity_rank
from failmap.demo import PLANTED
from failmap.fixes import record_fix
from tests.conftest import subprocess_env
from tests.failmap.alerts.conftest import (
    DemoAlerts,
    pattern_row,
    planted_configuration,
    planted_rate,
)

THREE_WAY = "l07_c12_late_segments"
TWO_WAY = "m03_action"
SINGLE_ALIAS = "c14_alias_l14"


def _expected(effect_name: str):
    return next(p for p in PLANTED.expected_patterns if p.caused_by == effect_name)


def _effect(effect_name: str):
    return next(e for e in PLANTED.effects if e.name == effect_name)


@pytest.mark.parametrize("effect_name", [THREE_WAY, TWO_WAY, SINGLE_ALIAS])
def test_planted_combination_warns_with_at_least_the_pattern_engines_severity(
    demo_alerts: DemoAlerts, effect_name: str
) -> None:
    expected = _expected(effect_name)
    engine = pattern_row(demo_alerts.url, expected.pattern_key)
    assert engine is not None, f"the pattern engine must surface {expected.pattern_key}"

    result = check_configuration(demo_alerts.url, **planted_configuration(effect_name), log=False)

    assert expected.pattern_key in [p.pattern_key for p in result.patterns]
    assert severity_rank(result.severity) >= severity_rank(engine["severity"])
    # The planted rate lies in the predicted interval.
    assert result.lower <= _effect(effect_name).rate <= result.upper


def test_planted_three_way_combination_is_high(demo_alerts: DemoAlerts) -> None:
    engine = pattern_row(demo_alerts.url, _expected(THREE_WAY).pattern_key)
    assert engine is not None and engine["severity"] == "high"
    result = check_configuration(demo_alerts.url, **planted_configuration(THREE_WAY), log=False)
    assert result.severity == "high"


def test_alternative_is_clearly_better_and_itself_no_pattern(demo_alerts: DemoAlerts) -> None:
    configuration = planted_configuration(THREE_WAY)
    result = check_configuration(demo_alerts.url, **configuration, log=False)
    assert result.alternatives, "a bad combination must be offered an alternative"
    best = result.alternatives[0]
    assert best.upper < result.predicted_failure_rate
    assert best.predicted_failure_rate < result.predicted_failure_rate / 2
    assert best.support >= 30
    assert f"{best.value} instead" in best.message
    swapped = check_configuration(
        demo_alerts.url, **{**configuration, best.dimension: best.value}, log=False
    )
    assert swapped.patterns == []
    assert swapped.predicted_failure_rate == pytest.approx(best.predicted_failure_rate)
    # The planted truth agrees that the swap is better.
    assert planted_rate({**configuration, best.dimension: best.value}) < _effect(THREE_WAY).rate


def test_model_alternative_for_the_planted_model_and_scene(demo_alerts: DemoAlerts) -> None:
    result = check_configuration(demo_alerts.url, **planted_configuration(TWO_WAY), log=False)
    models = [a for a in result.alternatives if a.dimension == "model"]
    assert models and models[0].value != "m03"
    assert models[0].predicted_failure_rate < _effect(TWO_WAY).rate / 2


def test_clean_configuration_gets_none(demo_alerts: DemoAlerts) -> None:
    clean = {"workflow": "w01", "model": "m01", "lora": "l01", "character": "c01",
             "scene_type": "closeup"}  # fmt: skip
    assert planted_rate({**clean, "segment_position": 2}) == PLANTED.base_rate
    result = check_configuration(demo_alerts.url, **clean, segments=10, log=False)
    assert result.severity == "none"
    assert result.patterns == [] and result.alternatives == []
    assert result.predicted_failure_rate < result.overall_failure_rate
    assert result.lower <= PLANTED.base_rate <= result.upper
    assert all(position.severity == "none" for position in result.positions)


def test_scene_reports_each_position_bucket_and_the_whole_scene(demo_alerts: DemoAlerts) -> None:
    configuration = planted_configuration(THREE_WAY)
    del configuration["segment_position"]
    result = check_configuration(demo_alerts.url, **configuration, segments=8, log=False)

    assert [p.positions for p in result.positions] == [[1, 2, 3], [4, 5], [6, 7, 8]]
    late = result.positions[-1]
    assert late.position_bucket == "6+" and late.severity == "high"
    assert all(p.severity == "none" for p in result.positions[:-1])
    assert result.severity == "high"
    scene = result.scene
    assert scene is not None and scene.segments == 8
    rates = [p.predicted_failure_rate for p in result.positions for _ in p.positions]
    assert scene.expected_failed_segments == pytest.approx(sum(rates))
    assert scene.predicted_failure_rate == pytest.approx(sum(rates) / 8)
    assert result.predicted_failure_rate == pytest.approx(scene.predicted_failure_rate)
    assert scene.lower <= scene.predicted_failure_rate <= scene.upper
    assert scene.probability_any_failure > max(rates)


def test_a_bucket_label_checks_that_bucket(demo_alerts: DemoAlerts) -> None:
    configuration = planted_configuration(THREE_WAY)
    by_position = check_configuration(demo_alerts.url, **configuration, log=False)
    bucket = _effect(THREE_WAY).dims["segment_position"]
    by_label = check_configuration(
        demo_alerts.url, **{**configuration, "segment_position": bucket}, log=False
    )
    assert by_label.positions[0].position_bucket == bucket
    assert by_label.predicted_failure_rate == pytest.approx(by_position.predicted_failure_rate)
    assert by_label.severity == by_position.severity


def test_unknown_values_back_off_and_say_the_configuration_is_new(
    demo_alerts: DemoAlerts,
) -> None:
    result = check_configuration(
        demo_alerts.url, workflow="w01", model="m01", lora="l99", character="c99",
        scene_type="closeup", segment_position=2, log=False,
    )  # fmt: skip
    assert result.unknown_values == {"lora": "l99", "character": "c99"}
    assert result.is_new_configuration
    assert result.severity == "none"
    assert 0 < result.lower < result.predicted_failure_rate < result.upper < 0.2
    assert any("never been seen" in message for message in result.messages)


def test_an_alias_of_a_pattern_matches_a_new_configuration(demo_alerts: DemoAlerts) -> None:
    expected = _expected(SINGLE_ALIAS)
    assert expected.alias is not None
    ((dimension, value),) = expected.alias.items()  # lora=l14 only ever used with c14
    result = check_configuration(
        demo_alerts.url, workflow="w01", model="m01", scene_type="closeup",
        **{"lora": "l01", "character": "c01", dimension: value}, log=False,
    )  # fmt: skip
    matched = [p for p in result.patterns if p.pattern_key == expected.pattern_key]
    assert matched and matched[0].matched_by == f"{dimension}={value}"
    # No segment of it on the days the prediction learns from: said as such, since such a
    # configuration may have been generated before its model's or workflow's last judged change.
    assert result.is_new_configuration
    assert any("on the days the prediction learns from" in m for m in result.messages)
    assert not any("never generated" in m for m in result.messages)


def test_an_inactive_pattern_still_warns_and_says_since_when(demo_alerts: DemoAlerts) -> None:
    """A pattern with no segments lately (a retired LoRA or character) is not current, but a
    configuration in it still warns, and the check says it is inactive, not active."""
    expected = _expected(TWO_WAY)
    since = dt.date(2026, 7, 28)
    with database.connect(demo_alerts.url) as conn:
        conn.execute(
            "update marts.failure_patterns set status = 'inactive', status_since = %s "
            "where pattern_key = %s",
            (since, expected.pattern_key),
        )
        result = check_configuration(conn, **planted_configuration(TWO_WAY), log=False)
        conn.rollback()  # the other tests read the demo's own statuses
    matched = {p.pattern_key: p for p in result.patterns}[expected.pattern_key]
    assert (matched.status, matched.status_since) == ("inactive", since)
    assert result.severity != "none"
    assert f"inactive since {since}: no segments since] " in result.summary()
    assert "active since" not in result.summary().replace("inactive since", "")


def test_every_check_is_logged(demo_alerts: DemoAlerts) -> None:
    configuration = planted_configuration(TWO_WAY)
    result = check_configuration(demo_alerts.url, **configuration, source="test")
    assert result.alert_id is not None
    with database.connect(demo_alerts.url) as conn:
        row = conn.execute(
            "select configuration, severity, predicted_failure_rate, matched_pattern_keys, source"
            " from app.alert_log where alert_id = %s",
            (result.alert_id,),
        ).fetchone()
    assert row is not None
    logged, severity, rate, keys, source = row
    assert logged == {**configuration, "segments": None}
    assert (severity, source) == (result.severity, "test")
    assert rate == pytest.approx(result.predicted_failure_rate)
    assert keys == [p.pattern_key for p in result.patterns] and keys


def test_a_recorded_fix_shows_in_later_checks(demo_copy_url: str) -> None:
    configuration = planted_configuration(THREE_WAY)
    key = _expected(THREE_WAY).pattern_key
    before = check_configuration(demo_copy_url, **configuration, log=False)
    assert [p.fixes for p in before.patterns if p.pattern_key == key] == [[]]

    fix = record_fix(
        demo_copy_url, pattern_key=key, description="Use c12's own LoRA from segment 6 on",
        reported_by="ana", effectiveness="resolved", parameters={"lora": "l12"},
    )  # fmt: skip
    after = check_configuration(demo_copy_url, **configuration, log=False)

    shown = next(p for p in after.patterns if p.pattern_key == key).fixes
    assert [(f.fix_id, f.description, f.parameters) for f in shown] == [
        (fix.fix_id, fix.description, {"lora": "l12"})
    ]
    # The pattern involves a LoRA and a character: a note on each, linked to the fix.
    assert {(n.dimension, n.fix_id) for n in after.notes} == {
        ("lora", fix.fix_id),
        ("character", fix.fix_id),
    }
    assert "Use c12's own LoRA" in after.summary()
    # Not measured until a refresh builds marts.fix_effectiveness with it; then its verdict.
    assert shown[0].measured_verdict is None
    with database.connect(demo_copy_url) as conn:
        conn.execute(
            "insert into marts.fix_effectiveness (fix_id, pattern_key, fix_description, "
            "reported_by, fixed_at, is_pattern_active, before_total_count, "
            "before_failure_count, before_failure_rate, after_total_count, after_failure_count, "
            "after_failure_rate, measured_verdict, is_credited_with_resolution) values "
            "(%s, %s, 'x', 'ana', now(), true, 100, 52, 0.52, 100, 6, 0.06, 'verified', false)",
            [fix.fix_id, key],
        )
    measured = check_configuration(demo_copy_url, **configuration, log=False)
    known = next(p for p in measured.patterns if p.pattern_key == key).fixes[0]
    assert (known.measured_verdict, known.before_failure_rate, known.after_failure_rate) == (
        "verified",
        0.52,
        0.06,
    )
    assert f"fix #{fix.fix_id} (resolved, measured verified 52% -> 6.0%, by ana" in (
        measured.summary()
    )
    # Not verified, with a regression near it that may hide it: named under the fix.
    with database.connect(demo_copy_url) as conn:
        conn.execute(
            "update marts.fix_effectiveness set measured_verdict = 'ineffective', "
            "after_failure_rate = 0.5, masked_by_changes = 'model=m01|3.2->3.1|2026-01-20' "
            "where fix_id = %s",
            [fix.fix_id],
        )
    hidden = check_configuration(demo_copy_url, **configuration, log=False)
    known = next(p for p in hidden.patterns if p.pattern_key == key).fixes[0]
    assert known.masked_by_changes == ["model=m01|3.2->3.1|2026-01-20"]
    assert (
        "a regression may hide it (without its segments the pattern fell): "
        "model=m01|3.2->3.1|2026-01-20"
    ) in hidden.summary()


def test_check_accepts_a_psycopg_connection_and_commits_its_log(demo_alerts: DemoAlerts) -> None:
    with database.connect(demo_alerts.url) as conn:
        result = check_configuration(conn, **planted_configuration(TWO_WAY))
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    with database.connect(demo_alerts.url) as other:
        assert other.execute(
            "select count(*) from app.alert_log where alert_id = %s", (result.alert_id,)
        ).fetchone() == (1,)


def test_check_accepts_a_sqlalchemy_engine(demo_alerts: DemoAlerts) -> None:
    import sqlalchemy

    engine = sqlalchemy.create_engine(database.sqlalchemy_url(demo_alerts.url))
    try:
        result = check_configuration(engine, **planted_configuration(TWO_WAY), source="dashboard")
    finally:
        engine.dispose()
    with database.connect(demo_alerts.url) as conn:
        assert conn.execute(
            "select source from app.alert_log where alert_id = %s", (result.alert_id,)
        ).fetchone() == ("dashboard",)


def test_failmap_check_prints_json(demo_alerts: DemoAlerts, tmp_path) -> None:
    configuration = planted_configuration(THREE_WAY)
    env = subprocess_env({"FAILMAP_DATABASE_URL": demo_alerts.url,
                          "FAILMAP_HOME": str(tmp_path / "home")})  # fmt: skip
    args = ["failmap", "check", "--segments", "8", "--json"]
    for name in ("workflow", "model", "lora", "character", "scene_type"):
        args += [f"--{name.replace('_', '-')}", str(configuration[name])]
    completed = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert completed.returncode == 0, completed.stderr
    data = json.loads(completed.stdout)
    assert data["severity"] == "high" and data["scene"]["segments"] == 8
    assert data["alternatives"] and data["alert_id"]
    # Matching patterns carry their status (never resolved) and top failure reasons.
    three_way = next(
        p for p in data["patterns"] if p["pattern_key"] == _expected(THREE_WAY).pattern_key
    )
    engine = pattern_row(demo_alerts.url, three_way["pattern_key"])
    assert three_way["status"] == engine["status"] != "resolved"
    assert three_way["status_since"] == str(engine["status_since"])
    assert three_way["top_failure_reasons"] == engine["top_failure_reasons"]
    args.remove("--json")
    readable = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert readable.returncode == 0 and "Severity: HIGH" in readable.stdout
    assert "consider LoRA" in readable.stdout
    assert f"[high, {engine['status']} since {engine['status_since']:%Y-%m-%d}]" in readable.stdout
    top = engine["top_failure_reasons"][0]
    assert f"top failure reasons: {top['value']} ({top['share']:.0%})" in readable.stdout


def test_no_marts_yet_is_a_clear_error(fresh_database_url: str) -> None:
    with pytest.raises(PredictionUnavailable, match="failmap refresh"):
        check_configuration(fresh_database_url, workflow="w01", model="m01", scene_type="action")


def test_marts_of_an_older_failmap_are_a_clear_error(demo_copy_url: str) -> None:
    # An existing home after an upgrade, before its next refresh: no traceback.
    with database.connect(demo_copy_url) as conn:
        conn.execute("alter table marts.failure_patterns drop column window_starts_on")
    with pytest.raises(PredictionUnavailable, match=r"older version of failmap .*failmap refresh"):
        check_configuration(demo_copy_url, workflow="w01", model="m01", scene_type="action")


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"workflow": " "}, "workflow"),
        ({"segment_position": 0}, "segment_position"),
        ({"segment_position": "late"}, "segment_position"),
        ({"segments": 0}, "segments"),
        ({"segment_position": 2, "segments": 4}, "segments"),
        ({"lora": "l07|x"}, "lora"),
        ({"character": "c" * 201}, "character"),
        ({"model": "m\x0001"}, "model"),
    ],
)
def test_invalid_configuration_names_the_field(arguments: dict, field: str) -> None:
    given = {"workflow": "w01", "model": "m01", "scene_type": "action", **arguments}
    with pytest.raises(ConfigurationError) as raised:
        check_configuration("postgresql://unused/none", **given)
    assert field in raised.value.errors
