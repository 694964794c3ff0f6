"""Versioned schema migrations for the schemas failmap owns outside dbt (`raw`, `app`).

Alembic runs plain SQL files kept beside each revision; `apply_migrations` is called by
`failmap up`, `failmap refresh` and the ingest assets, and is a no-op when the database is current.
"""

from failmap.migrations.runner import apply_migrations, current_revision, head_revision

__all__ = ["apply_migrations", "current_revision", "head_revision"]
