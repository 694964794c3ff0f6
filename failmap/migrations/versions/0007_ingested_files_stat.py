"""raw.ingested_files.inbox_path and mtime_ns: an unchanged ledgered file is skipped unread"""

from failmap.migrations.sql import sql_file_steps

revision = "0007"
down_revision = "0006"
upgrade, downgrade = sql_file_steps(__file__)
