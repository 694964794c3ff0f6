"""The dbt project as Dagster sees it, with its manifest prepared on a fresh checkout."""

from __future__ import annotations

from dagster_dbt import DbtProject

from failmap.runtime.dbt_manifest import DBT_PROJECT_DIR, manifest_is_stale, prepare_manifest

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
if manifest_is_stale():
    prepare_manifest()
