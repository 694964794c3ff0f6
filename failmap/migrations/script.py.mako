"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""

from failmap.migrations.sql import run_sql_file

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}


def upgrade() -> None:
    run_sql_file(__file__, "upgrade")


def downgrade() -> None:
    run_sql_file(__file__, "downgrade")
