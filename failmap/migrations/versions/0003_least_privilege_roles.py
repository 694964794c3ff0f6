"""least-privilege roles: failmap_dashboard (reads marts, writes app) and failmap_pipeline"""

from failmap.migrations.sql import sql_file_steps

revision = "0003"
down_revision = "0002"
upgrade, downgrade = sql_file_steps(__file__)
