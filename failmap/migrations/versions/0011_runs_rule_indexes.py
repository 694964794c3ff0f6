"""raw.runs: indexes that answer the raw runs rules without reading every run"""

from failmap.migrations.sql import sql_file_steps

revision = "0011"
down_revision = "0010"
upgrade, downgrade = sql_file_steps(__file__)
