"""schemas `intermediate` (dbt's building blocks) and `predictions` (the check's predictor tables)

Revision ID: 0006
Revises: 0005
"""

from failmap.migrations.sql import run_sql_file

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    run_sql_file(__file__, "upgrade")


def downgrade() -> None:
    run_sql_file(__file__, "downgrade")
