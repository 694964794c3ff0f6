"""The read layer: every read of the marts (and of app.* for the surfaces), in one place.

Each query is a `.sql` file in `sql/` beside the function that runs it, and every function
returns typed rows (pydantic models, one per query shape). The dashboard, the HTTP API, the
report, the metrics and the configuration check all read through these functions, so a mart
column added to one query and one row type reaches every surface (docs/architecture.md).

One connection stack: psycopg 3. The API and the CLI already hold psycopg connections; the
dashboard borrows one from its pool (`failmap.connections.open_connection`). Functions take an
open `psycopg.Connection` and never commit: what a caller reads in one transaction is consistent.
"""
