"""The pattern engine against the planted truth of the demo data (failmap.demo.PLANTED).

Every expected pattern must surface with exactly its dimensions (or under a planted alias, the
alias then listed), nothing that is a parent or child of a planted pattern may be listed
beside it, and on data without effects nothing may surface at all.

One database per data set, built once per module with dbt in-process (no Dagster): the
effects data at the planted default size (60 days x 1000 segments, seed 1), and five seeds of
effect-free data. The null seeds use the same size as the effects data, so the test of false
discoveries is as hard as the data the planted patterns are found in.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from failmap import database
from tests.dbt.conftest import loaded_database, run_dbt

demo = pytest.importorskip("failmap.demo", reason="needs the demo data generator")
PLANTED = demo.PLANTED

NULL_SEEDS = (11, 12, 13, 14, 15)
DIMENSIONS = ("workflow", "model", "lora", "character", "scene_type", "segment_position")


def _build(server_url: str, tmp: Path, target: Path, seed: int, effects: bool) -> str:
    files = tmp / f"demo_{seed}_{effects}"
    demo.write_demo_data(
        files,
        days=PLANTED.default_days,
        segments_per_day=PLANTED.default_segments_per_day,
        seed=seed,
        effects=effects,
    )
    url = loaded_database(server_url, sorted(files.iterdir()))
    command = "build" if effects else "run"  # data tests once, on the effects data
    selection = ["+failure_patterns", "+failure_heatmap", "+combination_failure_rates"]
    # Cautious: only the data tests whose every parent is built (a relationship test from a
    # staging view outside the selection would read a view that does not exist).
    run_dbt(url, [command, "--select", *selection, "--indirect-selection", "cautious"], target)
    return url


def _patterns(url: str) -> list[dict]:
    with database.connect(url) as conn:
        cursor = conn.execute("select * from marts.failure_patterns order by impact_rank")
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _dims(pattern: dict) -> dict[str, str]:
    return {d: pattern[f"dimension_{d}"] for d in DIMENSIONS if pattern[f"dimension_{d}"]}


@pytest.fixture(scope="module")
def effects_patterns(
    server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, list[dict]]:
    tmp = tmp_path_factory.mktemp("effects")
    url = _build(server_url, tmp, tmp / "target", PLANTED.default_seed, effects=True)
    return url, _patterns(url)


def _names(expected) -> list[dict[str, str]]:
    return [dict(expected.dims)] + ([dict(expected.alias)] if expected.alias else [])


def test_every_planted_pattern_surfaces_with_exactly_its_dimensions(
    effects_patterns: tuple[str, list[dict]],
) -> None:
    _, patterns = effects_patterns
    missing = []
    for expected in PLANTED.expected_patterns:
        found = [p for p in patterns if _dims(p) in _names(expected)]
        if not found:
            missing.append(dict(expected.dims))
    assert missing == [], (
        f"not surfaced: {missing}; surfaced: {[p['pattern_key'] for p in patterns]}"
    )


def test_an_alias_is_one_pattern_with_the_other_name_listed(
    effects_patterns: tuple[str, list[dict]],
) -> None:
    _, patterns = effects_patterns
    for expected in PLANTED.expected_patterns:
        if not expected.alias:
            continue
        names = [demo.spec.pattern_key(name) for name in _names(expected)]
        listed = [p for p in patterns if p["pattern_key"] in names]
        assert len(listed) == 1, listed
        others = set(names) - {listed[0]["pattern_key"]}
        assert others <= set(listed[0]["aliases"])


def _related(a: dict[str, str], b: dict[str, str]) -> bool:
    """a is a parent or a child of b (one's dimensions a proper subset of the other's)."""
    items_a, items_b = set(a.items()), set(b.items())
    return items_a != items_b and (items_a < items_b or items_b < items_a)


def test_the_list_is_concise(effects_patterns: tuple[str, list[dict]]) -> None:
    _, patterns = effects_patterns
    planted_names = [name for e in PLANTED.expected_patterns for name in _names(e)]
    redundant = [
        p["pattern_key"]
        for p in patterns
        if _dims(p) not in planted_names and any(_related(_dims(p), name) for name in planted_names)
    ]
    assert redundant == []


def test_surfaced_patterns_read_like_sentences(effects_patterns: tuple[str, list[dict]]) -> None:
    _, patterns = effects_patterns
    for pattern in patterns:
        # A pattern found in a recent window only says which: its counts are that window's.
        window = pattern["window_starts_on"]
        since = f" since {window:%Y-%m-%d}" if window else ""
        assert pattern["description"].endswith(f"over {pattern['total_count']:,} segments{since}")
        assert f"{round(pattern['failure_rate'] * 100)}% vs " in pattern["description"]


def test_a_second_refresh_keeps_keys_history_and_occurrences(
    effects_patterns: tuple[str, list[dict]], tmp_path: Path
) -> None:
    url, patterns = effects_patterns

    def snapshot() -> tuple:
        with database.connect(url) as conn:
            history = conn.execute(
                "select pattern_key, first_detected_at, resolved_at from marts.pattern_history "
                "order by 1"
            ).fetchall()
            occurrences = conn.execute(
                "select count(*), count(distinct (pattern_key, segment_id)) "
                "from marts.pattern_occurrences"
            ).fetchone()
        return history, occurrences

    before = snapshot()
    run_dbt(url, ["run", "--select", "+failure_patterns"], tmp_path / "target")

    assert snapshot() == before
    assert sorted(p["pattern_key"] for p in _patterns(url)) == sorted(
        p["pattern_key"] for p in patterns
    )


@pytest.mark.parametrize("seed", NULL_SEEDS)
def test_no_pattern_surfaces_without_effects(
    seed: int, server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp = tmp_path_factory.mktemp(f"null{seed}")
    url = _build(server_url, tmp, tmp / "target", seed, effects=False)

    assert [p["description"] for p in _patterns(url)] == []
