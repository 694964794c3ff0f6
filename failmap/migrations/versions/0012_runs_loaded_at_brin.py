"""raw.runs: a BRIN on loaded_at, for the runs loaded since a model's last build"""

from failmap.migrations.sql import sql_file_steps

revision = "0012"
down_revision = "0011"
upgrade, downgrade = sql_file_steps(__file__)
