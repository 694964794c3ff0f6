"""A run's partial parse becomes the next run's starting point (dbt then skips a full parse)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from failmap.runtime import parse_ahead
from orchestration.defs.transform.assets import PARTIAL_PARSE_FILE, keep_partial_parse


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
