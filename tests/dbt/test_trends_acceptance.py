"""Trend tracking against the planted truth of the demo data (failmap.demo.PLANTED).

Every expected verdict, day and direction is read from `PLANTED.version_changes`; nothing the
models compute is written in here.

Three databases, built once per module with dbt in-process:

- `trends_effects`: the demo data ending the day after the planted regression's change (one
  day of the new version), built and checked; then the rest of the default window (60 days x
  1000 segments, seed 1) is loaded and the models run again incrementally, and checked against
  the planted truth and against a full refresh. The default size is needed: the no-effect
  change must be *shown* to be immaterial (its rate-ratio interval within [0.67, 1.5]), which
  takes about two weeks of ~300 segments a day.
- `trends_null`: the same jobs without any effect (`effects=False`), for the false-alarm rate.
  The same size as the effects data, so the test is as hard as the data flags are found in.
- `trends_small`: 100 segments a day ending on the day of the no-effect change, so that change
  has one day of ~30 segments: too little to call it anything.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from failmap import database
from failmap.ingest import load_files
from tests.dbt.conftest import new_database, run_dbt

demo = pytest.importorskip("failmap.demo", reason="needs the demo data generator")
PLANTED = demo.PLANTED

START = dt.date(2026, 1, 1)
MODELS = ["+daily_failure_trends", "+change_events"]
OWN_INCREMENTAL = ["int_trend_days_aggregated+", "int_version_days_aggregated+"]
TREND_TABLES = ("marts.daily_failure_trends", "marts.change_events")
MAX_FALSE_ALARM_SHARE = 0.01
# A sustained planted change must be flagged within this many days after it takes effect (the
# w02 fix, 14 % -> 6 % on ~250 segments a day, is about z = 3 per day: a day or two of evidence).
FLAG_WITHIN_DAYS = 2

REGRESSION = next(c for c in PLANTED.version_changes if c.verdict == "regression")
NO_EFFECT = next(c for c in PLANTED.version_changes if c.verdict == "no_change")
ROLLBACK = next(c for c in PLANTED.version_changes if c.rollback_of is not None)


def _rows(url: str, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
    with database.connect(url) as conn:
        cursor = conn.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _load(url: str, files: Path) -> None:
    with database.connect(url) as conn:
        load_files(conn, sorted(files.iterdir()))


def _write(tmp: Path, name: str, days: int, per_day: int, effects: bool = True) -> Path:
    out = tmp / name
    demo.write_demo_data(
        out,
        days=days,
        segments_per_day=per_day,
        seed=PLANTED.default_seed,
        effects=effects,
        start=START,
    )
    return out


def _change_key(change) -> str:
    changed_on = change.changed_on(START).isoformat()
    return (
        f"{change.dimension}={change.value}|{change.from_version}->{change.to_version}|{changed_on}"
    )


def _events(url: str) -> dict[str, dict[str, Any]]:
    return {row["change_key"]: row for row in _rows(url, "select * from marts.change_events")}


def _flags(url: str) -> list[dict[str, Any]]:
    return _rows(
        url,
        "select * from marts.daily_failure_trends"
        " where regression_flag or improvement_flag order by day, dimension, dimension_value",
    )


def _snapshot(url: str) -> dict[str, list[tuple]]:
    with database.connect(url) as conn:
        return {
            table: sorted(conn.execute(f"select * from {table}").fetchall(), key=repr)  # noqa: S608
            for table in TREND_TABLES
        }


@pytest.fixture(scope="module")
def trends_effects(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("trends_effects")
    target = tmp / "target"
    url = new_database(server_url)
    one_day = REGRESSION.day + 1  # the data ends on the day of the change
    _load(url, _write(tmp, "one_day", one_day, PLANTED.default_segments_per_day))
    run_dbt(url, ["build", "--indirect-selection", "cautious", "--select", *MODELS], target)
    result: dict[str, Any] = {
        "url": url,
        "one_day_events": _events(url),
        "one_day_flags": _flags(url),
    }
    # The rest of the window arrives: the models continue incrementally.
    full = _write(tmp, "full", PLANTED.default_days, PLANTED.default_segments_per_day)
    _load(url, full)
    run_dbt(url, ["run", "--select", *MODELS], target)
    result["incremental"] = _snapshot(url)
    result["events"] = _events(url)
    result["flags"] = _flags(url)
    # Rebuild trend tracking's own incremental models from scratch (the pattern engine's per-day
    # cube under them is tested by its own module).
    # (Only trend tracking's models: the pattern engine and predictions also read these
    # series, but this test does not build them.)
    own = [f"{model},{mart}" for model in OWN_INCREMENTAL for mart in MODELS]
    run_dbt(url, ["run", "--full-refresh", "--select", *own], target)
    result["full_refresh"] = _snapshot(url)
    return result


@pytest.fixture(scope="module")
def trends_null(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("trends_null")
    url = new_database(server_url)
    files = _write(
        tmp, "null", PLANTED.default_days, PLANTED.default_segments_per_day, effects=False
    )
    _load(url, files)
    run_dbt(url, ["run", "--select", *MODELS], tmp / "target")
    return url


def test_a_large_regression_is_caught_from_one_day_of_data(
    trends_effects: dict[str, Any],
) -> None:
    event = trends_effects["one_day_events"][_change_key(REGRESSION)]
    assert event["after_day_count"] == 1
    assert event["verdict"] == REGRESSION.verdict, event
    changed_on = REGRESSION.changed_on(START)
    flagged = [
        f
        for f in trends_effects["one_day_flags"]
        if (f["dimension"], f["dimension_value"], f["day"])
        == (REGRESSION.dimension, REGRESSION.value, changed_on)
    ]
    assert [f["regression_flag"] for f in flagged] == [True]


def test_every_planted_version_change_is_found_with_its_verdict(
    trends_effects: dict[str, Any],
) -> None:
    events = trends_effects["events"]
    expected = {_change_key(c): c.verdict for c in PLANTED.version_changes}
    observed = {key: events[key]["verdict"] for key in events}
    assert observed == expected


def test_a_rollback_is_a_change_with_its_own_verdict(trends_effects: dict[str, Any]) -> None:
    event = trends_effects["events"][_change_key(ROLLBACK)]
    undone = PLANTED.version_changes[ROLLBACK.rollback_of]
    assert event["is_rollback"] is True
    assert (event["from_version"], event["to_version"]) == (
        undone.to_version,
        undone.from_version,
    )
    assert event["verdict"] == ROLLBACK.verdict
    others = [e for key, e in trends_effects["events"].items() if key != _change_key(ROLLBACK)]
    assert not any(e["is_rollback"] for e in others)


def test_planted_changes_are_flagged_in_their_direction_on_their_own_series(
    trends_effects: dict[str, Any],
) -> None:
    for change in PLANTED.version_changes:
        changed_on = change.changed_on(START)
        own = [
            f
            for f in trends_effects["flags"]
            if (f["dimension"], f["dimension_value"]) == (change.dimension, change.value)
            and changed_on <= f["day"] < changed_on + dt.timedelta(days=14)
        ]
        if change.verdict == "no_change":
            assert own == [], f"{_change_key(change)} has no effect but was flagged: {own}"
            continue
        assert own, f"{_change_key(change)} was never flagged"
        first = own[0]
        assert first["day"] <= changed_on + dt.timedelta(days=FLAG_WITHIN_DAYS), first
        assert first[f"{change.verdict}_flag"] is True, first
        assert first["explained_by_change"] == _change_key(change), first


def test_the_bad_model_version_explains_what_shows_through_elsewhere(
    trends_effects: dict[str, Any],
) -> None:
    """While m02 1.5 runs, every workflow on m02 (and everything overall) fails more: PLANTED
    says that is m02 showing through. Those flags stay (the days really failed more) and are
    explained by the m02 change; a workflow that never runs on m02 is not flagged at all."""
    bad_from = REGRESSION.changed_on(START)
    bad_to = ROLLBACK.changed_on(START)
    week = [
        f
        for f in trends_effects["flags"]
        if bad_from <= f["day"] < bad_to
        and f["regression_flag"]
        and f["dimension"] in ("overall", "workflow")
    ]
    assert week, "nothing showed through"
    assert {f["explained_by_change"] for f in week} == {_change_key(REGRESSION)}, week
    workflows_on_m02 = {
        row["dimension_value"]
        for row in _rows(
            trends_effects["url"],
            "select distinct workflow as dimension_value"
            " from intermediate.int_daily_cells_aggregated where model = %s",
            (REGRESSION.value,),
        )
    }
    assert not [f for f in week if f["dimension_value"] not in workflows_on_m02 | {"all"}]


def test_incremental_refresh_equals_a_full_refresh(trends_effects: dict[str, Any]) -> None:
    assert trends_effects["incremental"] == trends_effects["full_refresh"]


def test_without_effects_at_most_one_percent_of_series_days_are_flagged(
    trends_null: str,
) -> None:
    counts = _rows(
        trends_null,
        "select count(*) as series_days,"
        " count(*) filter (where regression_flag or improvement_flag) as flagged"
        " from marts.daily_failure_trends",
    )[0]
    share = counts["flagged"] / counts["series_days"]
    print(
        f"\nfalse alarms without effects: {counts['flagged']} of {counts['series_days']}"
        f" series-days = {share:.3%}"
    )
    assert counts["series_days"] > 3000
    assert share <= MAX_FALSE_ALARM_SHARE


def test_without_effects_no_version_change_gets_a_regression_or_improvement(
    trends_null: str,
) -> None:
    verdicts = _rows(trends_null, "select change_key, verdict from marts.change_events")
    assert len(verdicts) == len(PLANTED.version_changes)
    assert not [v for v in verdicts if v["verdict"] in ("regression", "improvement")], verdicts


def test_a_change_with_one_day_of_few_segments_is_insufficient_data(
    server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp = tmp_path_factory.mktemp("trends_small")
    url = new_database(server_url)
    _load(url, _write(tmp, "small", NO_EFFECT.day + 1, per_day=100))
    run_dbt(url, ["run", "--select", *MODELS], tmp / "target")
    event = _events(url)[_change_key(NO_EFFECT)]
    assert event["after_day_count"] == 1
    assert event["after_total_count"] < 100
    assert event["verdict"] == "insufficient_data", event


def test_rows_scanned_by_older_rules_are_scanned_again(trends_null: str, tmp_path: Path) -> None:
    """A scan table built by an older failmap (no `scan_rule` column, flags of other rules) is
    scanned again from the first day at the next refresh, though no count changed: its stored
    levels and flags would otherwise stay as the old rules left them."""
    read = (
        "select * from intermediate.int_trend_days_scanned order by day, dimension, dimension_value"
    )
    before = _rows(trends_null, read)
    assert before and {row["scan_rule"] for row in before} != {None}
    with database.connect(trends_null) as conn:
        conn.execute("alter table intermediate.int_trend_days_scanned drop column scan_rule")
        conn.execute(
            "update intermediate.int_trend_days_scanned"
            " set regression_flag = true, level_started_on = day"
        )
    run_dbt(trends_null, ["run", "--select", "int_trend_days_scanned+"], tmp_path / "target")
    assert _rows(trends_null, read) == before


def test_version_days_built_before_scene_types_are_rebuilt(
    trends_null: str, tmp_path: Path
) -> None:
    """A version-days table of an older failmap (no `scene_type`: version changes were judged
    without scene types as strata) is rebuilt whole at the next refresh, though no count
    changed, and the verdicts read it as a fresh build does."""
    read_days = (
        "select * from intermediate.int_version_days_aggregated"
        " order by day, dimension, dimension_value, version, other_value, other_version,"
        " scene_type"
    )
    read_changes = "select * from marts.change_events order by change_key"
    before, changes = _rows(trends_null, read_days), _rows(trends_null, read_changes)
    assert before and changes
    with database.connect(trends_null) as conn:
        conn.execute("alter table intermediate.int_version_days_aggregated drop column scene_type")
    run_dbt(
        trends_null,
        ["run", "--select", "int_version_days_aggregated+,+change_events"],
        tmp_path / "target",
    )
    assert _rows(trends_null, read_days) == before
    assert _rows(trends_null, read_changes) == changes
