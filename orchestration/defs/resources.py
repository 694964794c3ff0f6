"""Resources shared by every asset: where the database and the inbox are."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import psycopg

from failmap import database
from failmap.settings import load_settings
from orchestration.defs.transform.project import dbt_project
from orchestration.defs.transform.resource import FailmapDbtCliResource, dbt_executable


class FailmapResource(dg.ConfigurableResource):
    """failmap's database and inbox, defaulting to the `FAILMAP_*` settings.

    The URL is resolved when a run uses it (starting the embedded server if needed), never at
    import, so loading definitions touches no database.
    """

    inbox: str
    database_url: str | None = None

    def url(self) -> str:
        settings = load_settings()
        if self.database_url:
            return self.database_url
        return database.resolve_database_url(settings)

    def connect(self) -> psycopg.Connection:
        return database.connect(self.url())

    def inbox_path(self) -> Path:
        return Path(self.inbox)


def build_resources() -> dict[str, object]:
    settings = load_settings()
    return {
        "failmap": FailmapResource(inbox=str(settings.inbox), database_url=settings.database_url),
        "dbt": FailmapDbtCliResource(
            project_dir=dbt_project,
            profiles_dir=dbt_project.project_dir,
            dbt_executable=dbt_executable(),
        ),
    }
