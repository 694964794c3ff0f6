"""least-privilege role failmap_api for the HTTP API (reads marts, writes app)

Revision ID: 0005
Revises: 0004
"""

from failmap.migrations.sql import run_sql_file

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    run_sql_file(__file__, "upgrade")


def downgrade() -> None:
    run_sql_file(__file__, "downgrade")
