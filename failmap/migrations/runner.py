"""Apply Alembic migrations programmatically (no alembic.ini: the URL comes from settings)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool, text

from failmap.database import sqlalchemy_url

MIGRATIONS_DIR = Path(__file__).parent
# Serializes concurrent upgrades (e.g. `failmap refresh` while a sensor run starts).
_ADVISORY_LOCK_ID = 0x6661696C6D6170  # "failmap"


def _config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = sqlalchemy_url(url)
    return config


def head_revision() -> str:
    """The newest revision shipped with this version of failmap."""
    head = ScriptDirectory.from_config(_config("postgresql://localhost/x")).get_current_head()
    assert head is not None
    return head


def current_revision(url: str) -> str | None:
    """The revision the database is at, or None before the first migration."""
    engine = create_engine(sqlalchemy_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def apply_migrations(url: str) -> bool:
    """Upgrade the database to the newest revision; returns whether anything was applied."""
    if current_revision(url) == head_revision():
        return False
    engine = create_engine(sqlalchemy_url(url), poolclass=pool.NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(text("select pg_advisory_xact_lock(:id)"), {"id": _ADVISORY_LOCK_ID})
            config = _config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()
    return True
