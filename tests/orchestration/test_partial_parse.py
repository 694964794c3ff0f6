"""A run's partial parse becomes the next run's starting point (dbt then skips a full parse), and
the target directories of old runs are pruned."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from failmap.runtime import parse_ahead
from orchestration.defs.transform.assets import (
    PARTIAL_PARSE_FILE,
    RUN_TARGET_PREFIX,
    keep_partial_parse,
    prune_run_targets,
)


def test_the_runs_partial_parse_replaces_the_projects(tmp_path: Path) -> None:
    run_target, project_target = tmp_path / "run", tmp_path / "project"
    run_target.mkdir()
    project_target.mkdir()
    (project_target / PARTIAL_PARSE_FILE).write_bytes(b"parsed under another profile")
    (run_target / PARTIAL_PARSE_FILE).write_bytes(b"parsed by this run")

    assert keep_partial_parse(run_target, project_target)

    assert (project_target / PARTIAL_PARSE_FILE).read_bytes() == b"parsed by this run"
    assert sorted(path.name for path in project_target.iterdir()) == sorted(
        [PARTIAL_PARSE_FILE, parse_ahead.MADE_FOR_FILE]
    )


def test_a_run_that_wrote_none_leaves_the_projects_alone(tmp_path: Path) -> None:
    project_target = tmp_path / "project"
    project_target.mkdir()
    (project_target / PARTIAL_PARSE_FILE).write_bytes(b"kept")

    assert not keep_partial_parse(tmp_path / "run", project_target)

    assert (project_target / PARTIAL_PARSE_FILE).read_bytes() == b"kept"


def test_a_parse_ahead_is_skipped_only_for_the_connection_the_saved_parse_was_made_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "dbt_project"
    run_target, project_target = tmp_path / "run", project / "target"
    run_target.mkdir()
    project_target.mkdir(parents=True)
    (run_target / PARTIAL_PARSE_FILE).write_bytes(b"parsed by this run")
    monkeypatch.setenv("FAILMAP_PGHOST", "/home-a/pgdata")
    assert not parse_ahead.saved_parse_fits(os.environ, project)  # nothing noted yet

    keep_partial_parse(run_target, project_target)

    assert parse_ahead.saved_parse_fits(os.environ, project)
    other_home = {**os.environ, "FAILMAP_PGHOST": "/home-b/pgdata"}
    assert not parse_ahead.saved_parse_fits(other_home, project)
    # Someone's `dbt parse` replaced the file under another profile: not trusted any more.
    (project_target / PARTIAL_PARSE_FILE).write_bytes(b"parsed by a person, longer")
    assert not parse_ahead.saved_parse_fits(os.environ, project)


def _run_dirs(project_target: Path, ages_seconds: list[float]) -> list[Path]:
    now = time.time()
    runs = []
    for number, age in enumerate(ages_seconds):
        run = project_target / f"{RUN_TARGET_PREFIX}{number:03d}-abc"
        (run / "compiled").mkdir(parents=True)
        (run / "run_results.json").write_text("{}")
        os.utime(run, (now - age, now - age))
        runs.append(run)
    return runs


def test_only_the_newest_run_targets_are_kept(tmp_path: Path) -> None:
    project_target = tmp_path / "target"
    day = 86_400.0
    runs = _run_dirs(project_target, [day * (30 - n) for n in range(30)])  # the last is newest
    (project_target / PARTIAL_PARSE_FILE).write_bytes(b"parsed")
    (project_target / "manifest.json").write_text("{}")

    removed = prune_run_targets(project_target, current=runs[-1], keep=5)

    assert removed == 25
    assert sorted(project_target.iterdir()) == sorted(
        [*runs[-5:], project_target / PARTIAL_PARSE_FILE, project_target / "manifest.json"]
    )


def test_recent_and_current_run_targets_are_never_pruned(tmp_path: Path) -> None:
    project_target = tmp_path / "target"
    # The current run's directory is the oldest (its run started long ago); past the newest one,
    # another is young enough to be another home's run in progress.
    runs = _run_dirs(project_target, [90_000.0, 80_000.0, 600.0, 700.0, 60_000.0])

    removed = prune_run_targets(project_target, current=runs[0], keep=1, grace_seconds=3600)

    assert removed == 2
    assert sorted(project_target.iterdir()) == sorted([runs[0], runs[2], runs[3]])
