"""least-privilege roles: failmap_dashboard (reads marts, writes app) and failmap_pipeline

Revision ID: 0003
Revises: 0002
"""

from failmap.migrations.sql import run_sql_file

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    run_sql_file(__file__, "upgrade")


def downgrade() -> None:
    run_sql_file(__file__, "downgrade")
