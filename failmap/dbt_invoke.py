"""dbt run in this process on failmap's project: for the docs site, the benchmarks and the tests.

The product's refresh runs dbt through Dagster (failmap.runtime); these callers want one dbt
command, its results, and a clear error when it fails, without Dagster or a subprocess start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from failmap import database

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"


class DbtFailed(RuntimeError):
    """A dbt command failed; the message names the command, dbt's exception and the failed nodes."""


def invoke_dbt(args: list[str], *, url: str | None = None, target_path: Path | None = None) -> Any:
    """Run `dbt <args>` on the project; dbt's result object (`run_results` for run, build, test).

    `url` exports the database connection dbt's profile reads (failmap.database) first;
    `target_path` keeps the artifacts out of the project's own `target/`.
    """
    from dbt.cli.main import dbtRunner

    if url is not None:
        database.export_connection_env(url)
    project = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    target = ["--target-path", str(target_path)] if target_path is not None else []
    result = dbtRunner().invoke([*args, *project, *target, "--quiet"])
    if not result.success:
        failed = [
            f"{node.node.name}: {node.status}: {node.message}"
            for node in getattr(result.result, "results", None) or []
            if getattr(node, "status", None) not in ("success", "pass")
        ]
        raise DbtFailed(f"dbt {' '.join(args)} failed: {result.exception} {failed}")
    return result.result
