"""app.file_judgements: each delivered file judged once at arrival, warnings acknowledged by people

Revision ID: 0004
Revises: 0003
"""

from failmap.migrations.sql import run_sql_file

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    run_sql_file(__file__, "upgrade")


def downgrade() -> None:
    run_sql_file(__file__, "downgrade")
