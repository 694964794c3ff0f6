"""${message}"""

from failmap.migrations.sql import sql_file_steps

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
upgrade, downgrade = sql_file_steps(__file__)
