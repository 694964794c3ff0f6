"""The dbt project as Dagster sees it.

Constructing it reads nothing that changes: the manifest it points at is prepared by the
definitions factory (`orchestration/definitions.py`) before the dbt assets are built from it.
"""

from __future__ import annotations

from dagster_dbt import DbtProject

from failmap.runtime.dbt_manifest import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
