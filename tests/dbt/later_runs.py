"""Runs files for the tests that the incremental run error models equal a full rebuild.

A history of demo runs, a later file that re-delivers runs of it (one whose only message
changes, one failed run re-delivered as succeeded without errors) with a late new run of an
earlier day, and the load of such files with the signature refresh that follows ingest.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from failmap import database, demo
from failmap.errors.store import refresh_message_signatures
from failmap.ingest import load_files
from tests.dbt.incremental import read_rows, write_rows

NEW_MESSAGE = "ValueError: re-delivered run {run_id} names another error"
LATE_MESSAGE = "RuntimeError: a late run of an earlier day"


def runs_files(folder: Path, days: int, seed: int, start: dt.date) -> list[Path]:
    """The demo's runs files for `days` days from `start` (1,000 segments a day)."""
    summary = demo.write_demo_data(folder, days=days, segments_per_day=1000, seed=seed,
                                   start=start)  # fmt: skip
    return [path for path in summary.files if path.name.startswith("runs")]


def _messages(run: dict[str, str]) -> set[str]:
    phase_errors = json.loads(run["phase_errors"]) if run["phase_errors"] else {}
    return {m for m in [run["failure_reason"], *phase_errors.values()] if m}


def write_later_runs(first_file: Path, out: Path) -> dict[str, str]:
    """Write a later runs file: two re-delivered runs of `first_file` and a late new one;
    returns the messages that are gone and new, and the re-delivered runs."""
    header, runs = read_rows(first_file)
    seen = Counter(m for run in runs for m in _messages(run))
    failed = [run for run in runs if run["status"] == "failed" and run["phase_errors"]]
    changed = next(run for run in failed if all(seen[m] == 1 for m in _messages(run)))
    recovered = next(run for run in failed if run is not changed)
    new_message = NEW_MESSAGE.format(run_id=changed["run_id"])
    phase = next(iter(json.loads(changed["phase_errors"])))
    late_start = dt.datetime.fromisoformat(runs[0]["started_at"]) + dt.timedelta(days=1)
    rows = [
        dict(changed, failure_reason=new_message, phase_errors=json.dumps({phase: new_message})),
        dict(recovered, status="succeeded", failure_reason="", phase_errors="", error_code=""),
        dict(
            changed,
            run_id=f"{changed['run_id']}-late",
            started_at=late_start.isoformat(),
            finished_at=(late_start + dt.timedelta(minutes=5)).isoformat(),
            failure_reason=LATE_MESSAGE,
            phase_errors=json.dumps({phase: LATE_MESSAGE}),
        ),
    ]
    write_rows(out, header, rows)
    return {
        "gone": sorted(_messages(changed))[0],
        "new": new_message,
        "late": LATE_MESSAGE,
        "changed run": changed["run_id"],
        "recovered run": recovered["run_id"],
    }


def load_runs(url: str, files: list[Path]) -> None:
    """Load landing files and refresh the message signatures, as ingest does."""
    with database.connect(url) as conn:
        load_files(conn, files)
        refresh_message_signatures(conn)
