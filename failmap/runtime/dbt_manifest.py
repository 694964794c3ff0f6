"""The dbt project's `target/manifest.json`, parsed when missing or older than the project.

dagster-dbt reads the manifest when the code location's definitions are built; a fresh checkout
has none, and after a `git pull` that adds a model an old one would make the refresh fail on a
model Dagster does not know.
"""

from __future__ import annotations

from pathlib import Path

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
PROJECT_SOURCES = ("models", "macros", "seeds", "snapshots", "tests", "dbt_project.yml")


def prepare_manifest(project_dir: Path = DBT_PROJECT_DIR, *, force: bool = False) -> Path:
    """Run `dbt parse` in-process so `target/manifest.json` matches the models on disk.

    Parsing needs no database connection (the profile's env vars have defaults). A manifest newer
    than every project file is kept (`force` parses anyway): the parse is a fixed cost of every
    `failmap refresh` and `failmap up` (10-50 s on the shared 2-core machine, see
    benchmarks/README.md).
    """
    manifest = project_dir / "target" / "manifest.json"
    if not force and not manifest_is_stale(project_dir):
        return manifest
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(
        ["parse", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir), "--quiet"]
    )
    if not result.success:
        raise RuntimeError(f"dbt parse failed in {project_dir}: {result.exception}")
    return manifest


def manifest_is_stale(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    """True when the manifest is missing or older than a file of the project (a few hundred
    stat calls: cheaper than a refresh failing on a model Dagster does not know)."""
    manifest = project_dir / "target" / "manifest.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for name in PROJECT_SOURCES:
        source = project_dir / name
        paths = source.rglob("*") if source.is_dir() else [source]
        if any(path.stat().st_mtime > built for path in paths if path.exists()):
            return True
    return False
