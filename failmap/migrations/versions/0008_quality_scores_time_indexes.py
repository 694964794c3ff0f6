"""raw.quality_scores indexes on evaluated_at and loaded_at: refresh-time questions without scans"""

from failmap.migrations.sql import sql_file_steps

revision = "0008"
down_revision = "0007"
upgrade, downgrade = sql_file_steps(__file__)
