"""raw.error_message_signatures.masked_form and grouping_version: regroup only when it can change"""

from failmap.migrations.sql import sql_file_steps

revision = "0009"
down_revision = "0008"
upgrade, downgrade = sql_file_steps(__file__)
