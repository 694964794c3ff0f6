"""A run's partial parse becomes the next run's starting point (dbt then skips a full parse)."""

from __future__ import annotations

from pathlib import Path

from orchestration.defs.transform.assets import PARTIAL_PARSE_FILE, keep_partial_parse


def test_the_runs_partial_parse_replaces_the_projects(tmp_path: Path) -> None:
    run_target, project_target = tmp_path / "run", tmp_path / "project"
    run_target.mkdir()
    project_target.mkdir()
    (project_target / PARTIAL_PARSE_FILE).write_bytes(b"parsed under another profile")
    (run_target / PARTIAL_PARSE_FILE).write_bytes(b"parsed by this run")

    assert keep_partial_parse(run_target, project_target)

    assert (project_target / PARTIAL_PARSE_FILE).read_bytes() == b"parsed by this run"
    assert sorted(path.name for path in project_target.iterdir()) == [PARTIAL_PARSE_FILE]


def test_a_run_that_wrote_none_leaves_the_projects_alone(tmp_path: Path) -> None:
    project_target = tmp_path / "project"
    project_target.mkdir()
    (project_target / PARTIAL_PARSE_FILE).write_bytes(b"kept")

    assert not keep_partial_parse(tmp_path / "run", project_target)

    assert (project_target / PARTIAL_PARSE_FILE).read_bytes() == b"kept"
