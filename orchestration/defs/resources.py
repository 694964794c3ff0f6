"""Resources shared by every asset: where the database and the inbox are."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import psycopg

from failmap import database
from failmap.quality import worker
from failmap.refresh_lock import refresh_lock
from failmap.settings import load_settings
from orchestration.defs.transform.project import dbt_project
from orchestration.defs.transform.resource import FailmapDbtCliResource, dbt_executable


class FailmapResource(dg.ConfigurableResource):
    """failmap's database and inbox, defaulting to the `FAILMAP_*` settings.

    The URL is resolved when a run uses it (starting the embedded server if needed), never at
    import, so loading definitions touches no database. For the run that uses it, it:
    - holds the refresh lock from before its first step to after its last
      (`failmap.refresh_lock`): refreshes from the command line, the sensor and the schedule
      never overlap;
    - publishes the connection to the run's child processes (dbt's profile reads it from the
      environment) and restores the environment after;
    - in a process started to execute a run, starts the Great Expectations helper
      (`failmap.quality.worker`), so GX's slow import overlaps the run's first steps.
    """

    inbox: str
    database_url: str | None = None

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[FailmapResource]:
        log = context.log.info if context.log is not None else print
        url = self.url()
        if worker.in_run_process():
            worker.start_worker()
        with refresh_lock(url, run_id=context.run_id or "", log=log), database.connection_env(url):
            yield self

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
            # dagster-dbt's validator takes a DbtProject here (its field is typed str).
            project_dir=dbt_project,  # type: ignore[arg-type]
            profiles_dir=str(dbt_project.project_dir),
            dbt_executable=dbt_executable(),
        ),
    }
