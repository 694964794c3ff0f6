"""raw.ingested_files.rows_replaced: the rows of a file that replaced rows of earlier files"""

from failmap.migrations.sql import sql_file_steps

revision = "0009"
down_revision = "0008"
upgrade, downgrade = sql_file_steps(__file__)
