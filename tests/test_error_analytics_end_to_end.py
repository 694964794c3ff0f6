"""Error analytics through `failmap refresh`: demo runs -> signatures -> error marts -> export
and report; a second refresh with a new error family keeps every existing signature id."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from failmap import database
from tests.conftest import run_failmap
from tests.failmap.ingest.conftest import run_row, write_csv

pytestmark = pytest.mark.slow

NEW_FAMILY = "VAE decode produced an all-black frame at segment {} of {}"


def _signatures(url: str) -> dict[str, str]:
    with database.connect(url) as conn:
        rows = conn.execute("select distinct message, signature_id from marts.run_errors")
        return dict(rows.fetchall())


def test_refresh_builds_error_analytics_and_keeps_signature_ids(
    failmap_env: dict[str, str],
) -> None:
    from failmap.demo import write_demo_data

    inbox = Path(failmap_env["FAILMAP_INBOX"])
    url = failmap_env["FAILMAP_DATABASE_URL"]
    write_demo_data(inbox, days=10, segments_per_day=300, seed=3)

    first = run_failmap(failmap_env, "refresh")

    assert first.returncode == 0, first.stdout + first.stderr
    before = _signatures(url)
    assert before and all(s.startswith("sig_") for s in before.values())
    with database.connect(url) as conn:
        phase_errors = conn.execute(
            "select coalesce(sum((select count(*) from jsonb_object_keys(phase_errors))), 0) "
            "from raw.runs"
        ).fetchone()[0]
        assert conn.execute("select count(*) from marts.run_errors").fetchone()[0] == phase_errors
    export = Path(failmap_env["FAILMAP_HOME"]) / "exports" / "candidate_failure_patterns.json"
    assert "candidates" in json.loads(export.read_text(encoding="utf-8"))

    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    rows = [
        run_row(
            9000 + i,
            started_at=f"{yesterday}T12:00:00+00:00",
            finished_at=f"{yesterday}T12:04:00+00:00",
            failure_reason=NEW_FAMILY.format(i, i + 4),
            phase_errors=json.dumps({"generate": NEW_FAMILY.format(i, i + 4)}),
        )
        for i in range(8)
    ]
    write_csv(inbox / "runs_new_family.csv", rows)
    second = run_failmap(failmap_env, "refresh")

    assert second.returncode == 0, second.stdout + second.stderr
    after = _signatures(url)
    assert {message: after[message] for message in before} == before
    new_ids = {after[NEW_FAMILY.format(i, i + 4)] for i in range(8)}
    assert len(new_ids) == 1 and not new_ids & set(before.values())
    with database.connect(url) as conn:
        [category, is_unknown] = conn.execute(
            "select catalog_category, is_unknown from marts.error_signatures "
            "where signature_id = %s",
            [new_ids.pop()],
        ).fetchone()
    assert (category, is_unknown) == ("unknown", True)

    report = run_failmap(failmap_env, "report", "--days", "30")
    assert report.returncode == 0, report.stderr
    for heading in ("## Summary", "## Top error patterns", "## Phase breakdown", "## Trends",
                    "## Recommendations"):  # fmt: skip
        assert heading in report.stdout
    assert "VAE decode produced an all-black frame at segment <NUM> of <NUM>" in report.stdout
