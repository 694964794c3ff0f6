"""Run the plain-SQL files that sit beside a revision module."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import op


def run_sql_file(revision_file: str, direction: str) -> None:
    """Execute `<revision>.<direction>.sql` next to the revision module `revision_file`."""
    path = Path(revision_file).with_suffix(f".{direction}.sql")
    # exec_driver_sql: no bind-parameter parsing, so `::casts` and `:` in comments are safe.
    op.get_bind().exec_driver_sql(path.read_text(encoding="utf-8"))


def sql_file_steps(revision_file: str) -> tuple[Callable[[], None], Callable[[], None]]:
    """The `upgrade` and `downgrade` of a revision whose steps are its two `.sql` files.

    Every revision is plain SQL, so a revision module only names itself and its parent and
    takes these two steps, instead of each module writing the same two functions again.
    """

    def upgrade() -> None:
        run_sql_file(revision_file, "upgrade")

    def downgrade() -> None:
        run_sql_file(revision_file, "downgrade")

    return upgrade, downgrade
