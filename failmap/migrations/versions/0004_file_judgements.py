"""app.file_judgements: each file judged once at arrival, warnings acknowledged by people"""

from failmap.migrations.sql import sql_file_steps

revision = "0004"
down_revision = "0003"
upgrade, downgrade = sql_file_steps(__file__)
