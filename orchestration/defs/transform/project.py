"""The dbt project as Dagster sees it, with its manifest prepared on a fresh checkout."""

from __future__ import annotations

from pathlib import Path

from dagster_dbt import DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_project"


def prepare_manifest(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """Run `dbt parse` in-process so `target/manifest.json` matches the models on disk.

    dagster-dbt reads the manifest when definitions load; a fresh checkout has none. Parsing
    needs no database connection (the profile's env vars have defaults).
    """
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(
        ["parse", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir), "--quiet"]
    )
    if not result.success:
        raise RuntimeError(f"dbt parse failed in {project_dir}: {result.exception}")
    return project_dir / "target" / "manifest.json"


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
if not dbt_project.manifest_path.exists():
    prepare_manifest()
