"""raw and app schemas: landing tables, ledger, quarantine, fixes, notes, alert log

Revision ID: 0001
Revises:
"""

from failmap.migrations.sql import run_sql_file

revision = "0001"
down_revision = None


def upgrade() -> None:
    run_sql_file(__file__, "upgrade")


def downgrade() -> None:
    run_sql_file(__file__, "downgrade")
