"""least-privilege roles: failmap_dashboard (reads marts, writes app) and failmap_pipeline

Revision ID: 0002
Revises: 0001
"""

from failmap.migrations.sql import run_sql_file

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    run_sql_file(__file__, "upgrade")


def downgrade() -> None:
    run_sql_file(__file__, "downgrade")
