"""The structures data (failmap.demo.structures) holds the structures it promises."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from failmap.commands.demo import demo_data
from failmap.demo.structures import STRUCTURES, dataset_kind, write_structures_data


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    first = write_structures_data(tmp_path / "a", days=2, tests_per_day=300, seed=3)
    second = write_structures_data(tmp_path / "b", days=2, tests_per_day=300, seed=3)
    assert first.read_bytes() == second.read_bytes()


def test_the_structures_are_in_the_data(tmp_path: Path) -> None:
    rows = _rows(write_structures_data(tmp_path, days=20, tests_per_day=1000))

    def rate(predicate) -> float:
        chosen = [row for row in rows if predicate(row)]
        return sum(row["passed"] == "false" for row in chosen) / len(chosen)

    # The tool version is only recorded by one suite, and is its best one.
    assert {row["workflow"] for row in rows if row["lora"]} == {STRUCTURES.nested_in_workflow}
    best = STRUCTURES.nested_best_lora
    in_suite = STRUCTURES.nested_in_workflow
    broken = STRUCTURES.broken_model
    assert rate(lambda r: r["lora"] == best and r["model"] != broken) < rate(
        lambda r: r["workflow"] == in_suite and r["lora"] != best and r["model"] != broken
    )
    assert rate(lambda r: r["lora"] == best) > rate(lambda r: r["lora"] != best)
    # A 100 % child of a ~75 % parent.
    assert rate(lambda r: r["workflow"] == in_suite and r["model"] == broken) == 1.0
    assert 0.7 < rate(lambda r: r["workflow"] == in_suite and r["model"] != broken) < 0.8
    # A regression inside the healthy suite, no worse than the rest overall.
    regressed, healthy = STRUCTURES.regressed_model, STRUCTURES.regressed_workflow
    assert rate(lambda r: r["workflow"] == healthy and r["model"] == regressed) > 0.25
    assert rate(lambda r: r["workflow"] == healthy and r["model"] != regressed) < 0.06
    # Every dataset has one data kind; one day only the healthy suite ran.
    assert all(row["scene_type"] == dataset_kind(row["character"]) for row in rows)
    day = Counter(row["evaluated_at"][:10] for row in rows if row["workflow"] == in_suite)
    assert len(day) == 19


def test_the_cli_writes_the_structures_data(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        demo_data, ["--structures", "--days", "2", "--out", str(tmp_path), "--start", "2026-01-01"]
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["quality_scores_structures_seed1.csv"]
