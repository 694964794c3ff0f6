"""Runtime settings, read once from `FAILMAP_*` environment variables.

Every part of failmap (CLI, Dagster code location, dbt profile, Streamlit) reads the same
variables, so a user configures the product in one place. Defaults give a working local setup
with no configuration at all: an embedded PostgreSQL under `.failmap/` and an inbox under `data/`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MIN_SUPPORT = 5


class SettingsError(ValueError):
    """A `FAILMAP_*` variable holds a value failmap cannot use."""


@dataclass(frozen=True)
class Settings:
    """Where failmap keeps its state and which database it talks to."""

    home: Path
    inbox: Path
    database_url: str | None
    min_support: int

    @property
    def pgdata(self) -> Path:
        """Data directory of the embedded PostgreSQL (used only without `database_url`)."""
        return self.home / "pgdata"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read settings from the environment (or the mapping given), resolving paths to absolute."""
    env = os.environ if environ is None else environ
    home = Path(env.get("FAILMAP_HOME") or ".failmap").expanduser().resolve()
    inbox = Path(env.get("FAILMAP_INBOX") or "data/inbox").expanduser().resolve()
    database_url = env.get("FAILMAP_DATABASE_URL") or None
    raw_support = env.get("FAILMAP_MIN_SUPPORT") or str(DEFAULT_MIN_SUPPORT)
    try:
        min_support = int(raw_support)
    except ValueError:
        raise SettingsError(
            f"FAILMAP_MIN_SUPPORT must be a whole number of segments, got {raw_support!r}"
        ) from None
    if min_support < 1:
        raise SettingsError(f"FAILMAP_MIN_SUPPORT must be at least 1, got {min_support}")
    return Settings(home=home, inbox=inbox, database_url=database_url, min_support=min_support)
