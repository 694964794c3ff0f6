"""least-privilege role failmap_api for the HTTP API (reads marts, writes app)"""

from failmap.migrations.sql import sql_file_steps

revision = "0005"
down_revision = "0004"
upgrade, downgrade = sql_file_steps(__file__)
