"""raw.error_message_signatures: each distinct run error message and its signature"""

from failmap.migrations.sql import sql_file_steps

revision = "0002"
down_revision = "0001"
upgrade, downgrade = sql_file_steps(__file__)
