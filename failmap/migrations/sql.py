"""Run the plain-SQL file that sits beside a revision module."""

from __future__ import annotations

from pathlib import Path

from alembic import op


def run_sql_file(revision_file: str, direction: str) -> None:
    """Execute `<revision>.<direction>.sql` next to the revision module `revision_file`."""
    path = Path(revision_file).with_suffix(f".{direction}.sql")
    # exec_driver_sql: no bind-parameter parsing, so `::casts` and `:` in comments are safe.
    op.get_bind().exec_driver_sql(path.read_text(encoding="utf-8"))
