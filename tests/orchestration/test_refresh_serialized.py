"""A refresh run (the job `failmap refresh`, the sensor and the schedule run) holds the refresh
lock from before its first step: while another refresh holds it, nothing is ingested."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import dagster as dg
import pytest

from failmap import database
from failmap.refresh_lock import refresh_lock
from orchestration.definitions import defs
from orchestration.defs.resources import FailmapResource
from tests.failmap.ingest.conftest import score_row, write_csv

pytestmark = pytest.mark.filterwarnings("ignore")


def _ledgered(url: str) -> int:
    with database.connect(url) as conn:
        return conn.execute("select count(*) from raw.ingested_files").fetchone()[0]


def _waiting(url: str) -> bool:
    with database.connect(url) as conn:
        return conn.execute(
            "select exists (select from pg_locks where locktype = 'advisory' and not granted "
            "and database = (select oid from pg_database where datname = current_database()))"
        ).fetchone()[0]


@pytest.mark.slow
def test_a_refresh_waits_while_another_holds_the_lock(failmap_env: dict[str, str]) -> None:
    url = failmap_env["FAILMAP_DATABASE_URL"]
    write_csv(Path(failmap_env["FAILMAP_INBOX"]) / "quality_scores_1.csv", [score_row(1)])
    results: list[dg.ExecuteInProcessResult] = []

    def run() -> None:
        resources = {
            "failmap": FailmapResource(inbox=failmap_env["FAILMAP_INBOX"], database_url=url)
        }
        job = defs().resolve_job_def("refresh")
        with dg.DagsterInstance.ephemeral() as instance:  # disposed in the thread that used it
            results.append(
                job.execute_in_process(instance=instance, resources=resources, raise_on_error=False)
            )

    with refresh_lock(url, run_id="cli"):
        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + 120
        while not _waiting(url):
            assert time.monotonic() < deadline, "the run never asked for the lock"
            time.sleep(0.2)
        time.sleep(1.0)
        assert _ledgered(url) == 0  # nothing ingested while the other refresh runs
    thread.join(timeout=600)

    assert results and results[0].success
    assert _ledgered(url) == 1
