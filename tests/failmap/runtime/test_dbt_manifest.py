"""The dbt manifest counts as stale once a project file is newer than it (a pulled new model)."""

from __future__ import annotations

import os
from pathlib import Path

from failmap.runtime.dbt_manifest import manifest_is_stale, prepare_manifest


def _project(root: Path) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "models" / "a.sql").write_text("select 1\n")
    (root / "dbt_project.yml").write_text("name: x\n")
    (root / "target").mkdir()
    return root


def test_missing_manifest_is_stale(tmp_path: Path) -> None:
    assert manifest_is_stale(_project(tmp_path))


def test_manifest_newer_than_every_file_is_fresh_until_a_model_changes(tmp_path: Path) -> None:
    project = _project(tmp_path)
    manifest = project / "target" / "manifest.json"
    manifest.write_text("{}")
    later = manifest.stat().st_mtime + 10
    os.utime(manifest, (later, later))
    assert not manifest_is_stale(project)

    new_model = project / "models" / "b.sql"
    new_model.write_text("select 2\n")
    os.utime(new_model, (later + 5, later + 5))
    assert manifest_is_stale(project)


def test_fresh_manifest_is_kept_without_parsing(tmp_path: Path) -> None:
    """`failmap refresh` asks for a current manifest each time; a fresh one costs no dbt parse
    (this fake project would not even parse)."""
    project = _project(tmp_path)
    manifest = project / "target" / "manifest.json"
    manifest.write_text("{}")
    later = manifest.stat().st_mtime + 10
    os.utime(manifest, (later, later))

    assert prepare_manifest(project) == manifest
    assert manifest.read_text() == "{}"
