"""raw.error_message_signatures.masked_form and grouping_version: regroup only when it can change"""

from failmap.migrations.sql import sql_file_steps

revision = "0010"
down_revision = "0009"
upgrade, downgrade = sql_file_steps(__file__)
