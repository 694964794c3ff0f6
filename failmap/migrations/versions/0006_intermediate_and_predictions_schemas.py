"""schemas `intermediate` (dbt's building blocks), `predictions` (the check's predictor tables)"""

from failmap.migrations.sql import sql_file_steps

revision = "0006"
down_revision = "0005"
upgrade, downgrade = sql_file_steps(__file__)
