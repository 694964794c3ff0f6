"""The read layer's queries follow the SQL style (SQLFluff, postgres dialect; the placeholder
templater, configured in failmap/read/sql/.sqlfluff, stands in for psycopg's parameters)."""

from __future__ import annotations

import subprocess

from tests.conftest import REPO_ROOT, subprocess_env


def test_read_layer_queries_pass_sqlfluff() -> None:
    # From the folder itself: SQLFluff only takes a templater from the working directory's config.
    result = subprocess.run(
        ["sqlfluff", "lint", ".", "--nofail", "--format", "github-annotation"],
        cwd=REPO_ROOT / "failmap" / "read" / "sql",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=subprocess_env({}),
    )
    problems = [line for line in result.stdout.splitlines() if line.strip() and line != "[]"]
    assert result.returncode == 0, result.stderr
    assert problems == [], "\n".join(problems)
