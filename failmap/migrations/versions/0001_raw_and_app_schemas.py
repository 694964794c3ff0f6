"""raw and app schemas: landing tables, ledger, quarantine, fixes, notes, alert log"""

from failmap.migrations.sql import sql_file_steps

revision = "0001"
down_revision = None
upgrade, downgrade = sql_file_steps(__file__)
