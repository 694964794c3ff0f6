"""The dbt models follow the SQL style (SQLFluff, dbt templater, postgres dialect)."""

from __future__ import annotations

import subprocess

from failmap import database
from tests.conftest import REPO_ROOT, subprocess_env


def test_dbt_models_pass_sqlfluff(fresh_database_url: str) -> None:
    # The dbt templater compiles the project, which opens a connection.
    result = subprocess.run(
        ["sqlfluff", "lint", "dbt_project/models", "--nofail", "--format", "github-annotation"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=subprocess_env(database.dbt_env(fresh_database_url)),
    )
    problems = [line for line in result.stdout.splitlines() if line.strip() and line != "[]"]
    assert result.returncode == 0, result.stderr
    assert problems == [], "\n".join(problems)
