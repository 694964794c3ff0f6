"""Patterns that know time, against the planted truth of the demo data (failmap.demo.PLANTED).

The demo data plants a pattern that ends on day 30 (`l16_until_day_30`), one that emerges on
the last two days (`m02_night_emerging`, a 2-way combination the whole history dilutes) and a
model version regression (`m04_1.1_regression`, day 50); the three stationary patterns run
throughout. Each data set is built once per module with dbt in-process, like
test_failure_patterns_acceptance.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from psycopg import sql

from failmap import database
from failmap.read import patterns as read_patterns
from tests.dbt.conftest import loaded_database, run_dbt

demo = pytest.importorskip("failmap.demo", reason="needs the demo data generator")
PLANTED = demo.PLANTED

START = dt.date(2026, 3, 2)
EFFECTS = {effect.name: effect for effect in PLANTED.effects}
ENDED = EFFECTS["l16_until_day_30"]
EMERGING = EFFECTS["m02_night_emerging"]
REGRESSION = next(c for c in PLANTED.version_changes if c.value == "m04")
SELECTION = ["+failure_patterns", "+pattern_history"]


def _build(
    server_url: str,
    tmp: Path,
    days: int,
    *,
    drop_last_days: int = 0,
    retired: tuple[tuple[dict[str, str], int], ...] = (),
    fixes: tuple[tuple[str, dt.datetime], ...] = (),
    new_set_days: int = 0,
) -> str:
    """Demo data of `days` days from START; `drop_last_days` removes the last days' rows
    before the build (the data then ends earlier, with the same planted days); `retired`
    (values, days) removes the rows with all those values in the last days (a character no
    longer generated); `fixes` (pattern key, recorded at) are written to app.pattern_fixes
    first; `new_set_days` more days follow from a new demo set (another seed), whose first days
    plant l16 again (a pattern back after it ended)."""
    files = tmp / "demo"
    demo.write_demo_data(
        files, days=days, segments_per_day=PLANTED.default_segments_per_day,
        seed=PLANTED.default_seed, start=START, file_format="parquet",
    )  # fmt: skip
    if new_set_days:
        demo.write_demo_data(
            files, days=new_set_days, segments_per_day=PLANTED.default_segments_per_day,
            seed=PLANTED.default_seed + 1, start=START + dt.timedelta(days=days),
            file_format="parquet",
        )  # fmt: skip
    url = loaded_database(server_url, sorted(files.iterdir()))
    with database.connect(url) as conn:
        if drop_last_days:
            cut = START + dt.timedelta(days=days - drop_last_days)
            conn.execute("delete from raw.quality_scores where evaluated_at >= %s", (cut,))
        for values, last_days in retired:
            matching = sql.SQL(" and ").join(
                sql.SQL("{} = %s").format(sql.Identifier(column)) for column in values
            )
            conn.execute(
                sql.SQL("delete from raw.quality_scores where evaluated_at >= %s and {}").format(
                    matching
                ),
                (START + dt.timedelta(days=days - last_days), *values.values()),
            )
        for pattern_key, fixed_at in fixes:
            conn.execute(
                "insert into app.pattern_fixes (pattern_key, fix_description, reported_by, "
                "created_at) values (%s, 'replaced the file', 'ana', %s)",
                (pattern_key, fixed_at),
            )
        conn.commit()
    selection = [*SELECTION, "+fix_effectiveness"] if fixes else SELECTION
    run_dbt(url, ["run", "--select", *selection], tmp / "target")
    return url


def _patterns(url: str) -> dict[str, dict]:
    with database.connect(url) as conn:
        cursor = conn.execute("select * from marts.failure_patterns")
        names = [c.name for c in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {row["pattern_key"]: row for row in rows}


def _day(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


@pytest.fixture(scope="module")
def default_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return _build(server_url, tmp_path_factory.mktemp("time60"), PLANTED.default_days)


def test_every_expected_pattern_has_its_planted_status(default_url: str) -> None:
    patterns = _patterns(default_url)
    statuses = {key: patterns[key]["status"] for key in patterns}
    expected = {p.pattern_key: p.status for p in PLANTED.expected_patterns}
    assert statuses == expected


def test_window_only_patterns_report_their_window_counts(default_url: str) -> None:
    patterns = _patterns(default_url)
    last_day = _day(PLANTED.default_days - 1)
    for expected in PLANTED.expected_patterns:
        found = patterns[expected.pattern_key]
        if expected.window_days is None:
            # Counted over the whole history: nothing says "since".
            assert found["window_starts_on"] is None
            assert " since " not in found["description"]
            continue
        assert (found["failure_count"], found["total_count"]) == (
            expected.failure_count,
            expected.total_count,
        )
        # Which window those counts are, in the column and in the sentence a person reads.
        starts_on = last_day - dt.timedelta(days=expected.window_days - 1)
        assert found["window_starts_on"] == starts_on
        assert found["description"].endswith(
            f"over {expected.total_count:,} segments since {starts_on:%Y-%m-%d}"
        )


def test_started_on_is_the_change_point_not_the_refresh(default_url: str) -> None:
    patterns = _patterns(default_url)
    emerging = patterns[demo.spec.pattern_key(EMERGING.dims)]
    assert emerging["started_on"] == emerging["status_since"] == _day(PLANTED.default_days - 2)
    regression = patterns["model=m04"]
    assert abs((regression["started_on"] - _day(REGRESSION.day)).days) <= 2
    assert regression["status"] == "active"
    for key in ("model=m03|scene_type=action", "character=c14"):
        assert patterns[key]["started_on"] == START  # stationary: failing since the first day


def test_the_ended_pattern_is_resolved_since_its_end(default_url: str) -> None:
    ended = _patterns(default_url)[demo.spec.pattern_key(ENDED.dims)]
    assert ended["status"] == "resolved"
    assert abs((ended["status_since"] - _day(ENDED.until_day)).days) <= 2
    assert ended["recent_failure_rate"] < 1.5 * PLANTED.base_rate


@pytest.mark.parametrize("days_of_data", [1, 2])
def test_the_emerging_combination_is_emerging_from_its_first_day(
    days_of_data: int, server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The 2-way combination (~35 segments a day, 6% -> 45%) surfaces as `emerging` with one
    and with two days of data, although the whole history dilutes it to ~7%."""
    tmp = tmp_path_factory.mktemp(f"emerging{days_of_data}")
    url = _build(server_url, tmp, PLANTED.default_days, drop_last_days=2 - days_of_data)
    patterns = _patterns(url)
    emerging = patterns[demo.spec.pattern_key(EMERGING.dims)]
    assert emerging["status"] == "emerging"
    assert emerging["started_on"] == _day(PLANTED.default_days - 2)
    assert emerging["recent_failure_rate"] > 0.3
    for key in ("model=m03|scene_type=action", "character=c14"):
        assert patterns[key]["status"] == "active"


def test_a_pattern_no_longer_generated_is_inactive_since_its_last_day(
    server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Character c14 (22 % throughout) is not generated in the data's last 8 days: it no
    longer fails, nor is it known to be fixed, so it is `inactive` since its first day without
    segments, not `active` forever. m03 action scenes, gone for the last 6 days only, still
    have a segment in the 7-day window and stay `active`; l16 stays `resolved`."""
    url = _build(
        server_url,
        tmp_path_factory.mktemp("retired"),
        PLANTED.default_days,
        retired=(({"character": "c14"}, 8), ({"model": "m03", "scene_type": "action"}, 6)),
    )
    patterns = _patterns(url)
    retired = patterns["character=c14"]
    assert retired["status"] == "inactive"
    assert retired["status_since"] == _day(PLANTED.default_days - 8)
    assert patterns["model=m03|scene_type=action"]["status"] == "active"
    assert patterns[demo.spec.pattern_key(ENDED.dims)]["status"] == "resolved"


def test_seventy_days_surface_exactly_the_planted_patterns(
    server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """With 70 days the 7-day window holds the emerging m02 night scenes' two bad days and five
    ordinary ones. Character c03's 11 m02 night scenes all fell on the bad days (9 failed), so
    over the 7 days they "failed more than the rest of m02 night" by their timing alone, and
    surfaced as a window-only child; rule (c) in a window now counts a child's own days and
    asks for the whole history's interaction evidence."""
    url = _build(server_url, tmp_path_factory.mktemp("time70"), 70)
    statuses = {key: row["status"] for key, row in _patterns(url).items()}
    assert statuses == {p.pattern_key: p.status for p in PLANTED.expected_patterns}


def test_the_ended_pattern_is_resolved_within_seven_days_and_its_fix_verified(
    server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Seven days after l16's end it is `resolved` since then, and the fix recorded on its
    last bad day is named and `verified`; a fix of a pattern still failing is neither."""
    ended_key = demo.spec.pattern_key(ENDED.dims)
    last_bad_day = dt.datetime.combine(_day(ENDED.until_day - 1), dt.time(18), dt.UTC)
    fixes = ((ended_key, last_bad_day), ("character=c14", last_bad_day))
    url = _build(server_url, tmp_path_factory.mktemp("ended"), ENDED.until_day + 7, fixes=fixes)
    patterns = _patterns(url)
    ended = patterns[ended_key]
    assert ended["status"] == "resolved"
    assert abs((ended["status_since"] - _day(ENDED.until_day)).days) <= 2
    for key in ("model=m03|scene_type=action", "character=c14"):
        assert patterns[key]["status"] == "active"
    with database.connect(url) as conn:
        verdicts = dict(
            conn.execute("select pattern_key, measured_verdict from marts.fix_effectiveness")
        )
        (fix_id,) = conn.execute(
            "select fix_id from app.pattern_fixes where pattern_key = %s", (ended_key,)
        ).fetchone()
        credited = dict(
            conn.execute(
                "select pattern_key, resolved_by_fix_id from intermediate.int_pattern_resolutions"
            )
        )
        named = read_patterns.credited_fixes(conn)
    assert credited == {ended_key: fix_id}
    # The surfaces name it through the read layer.
    assert {key: fix.fix_id for key, fix in named.items()} == {ended_key: fix_id}
    assert verdicts[ended_key] == "verified"
    assert verdicts["character=c14"] != "verified"


def test_a_pattern_back_after_its_fix_is_emerging_and_its_fix_held_until_then(
    server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """l16 ends on day 30 with a fix recorded on its last bad day, runs at the rest's rate for
    30 days, then fails again on four days of a new demo set (23-30 % a day, by the planted
    effect of that set's first days). Over the whole series the old failures made the return
    look ordinary: l16 read `resolved` with 11.9 % now and its fix `verified` mixing the month
    it held with the return. Now l16 is `emerging` since its return and named as back after its
    fall (returned_after), its rate now is the return's, and the fix is verified on the days it
    held, with the day l16 rose again."""
    ended_key = demo.spec.pattern_key(ENDED.dims)
    last_bad_day = dt.datetime.combine(_day(ENDED.until_day - 1), dt.time(18), dt.UTC)
    url = _build(
        server_url,
        tmp_path_factory.mktemp("returned"),
        PLANTED.default_days,
        fixes=((ended_key, last_bad_day),),
        new_set_days=4,
    )
    back = _patterns(url)[ended_key]
    assert back["status"] == "emerging"
    assert _day(PLANTED.default_days - 3) <= back["status_since"] <= _day(PLANTED.default_days)
    assert back["current_failure_rate"] > 0.2
    # Not new: back after the fall of day 30 (the fix's).
    assert abs((back["returned_after"] - _day(ENDED.until_day)).days) <= 2
    with database.connect(url) as conn:
        verdict, rose_again_on, rate_after = conn.execute(
            "select measured_verdict, rose_again_on, after_failure_rate "
            "from marts.fix_effectiveness where pattern_key = %s",
            (ended_key,),
        ).fetchone()
    assert verdict == "verified"
    assert rose_again_on == back["status_since"]
    assert rate_after < 0.12


def test_history_keeps_first_detection_and_start_across_full_refreshes(
    default_url: str, tmp_path: Path
) -> None:
    def history() -> list[tuple]:
        with database.connect(default_url) as conn:
            return conn.execute(
                "select pattern_key, first_detected_at, started_on from marts.pattern_history "
                "order by pattern_key"
            ).fetchall()

    before = history()
    assert before and all(row[2] is not None for row in before)
    run_dbt(default_url, ["run", "--full-refresh", "--select", *SELECTION], tmp_path / "t")
    assert history() == before
