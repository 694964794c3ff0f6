"""A database with every mart built from the planted demo data, for the dashboard's tests.

Built once per test session (demo files plus a file of broken rows -> ingest -> `dbt build`
without its data tests, in process) into a template database; each test module gets its own
copy (`create database ... template ...` copies files, about a second), so fixes one module
records are not seen by another.
Both the AppTest tests and the browser tests use it.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from failmap import database
from failmap.ingest import load_files
from failmap.ingest.contract import QUALITY_SCORES
from tests.conftest import TEMPLATE_DATABASE, with_database
from tests.dbt.conftest import run_dbt

_templates: dict[str, str] = {}

# A delivery whose every row breaks the input contract (so nothing of it loads and the planted
# data stays as it is): the quarantine the data-quality page summarizes, by broken rule.
BROKEN_ROWS_FILE = "quality_scores_broken_rows.csv"
_GOOD_ROW = {
    "score_id": "qs-broken",
    "evaluated_at": "2026-01-05T10:00:00+00:00",
    "job_id": "run-broken",
    "segment_id": "seg-broken",
    "segment_position": "1",
    "workflow": "w01",
    "model": "m01",
    "scene_type": "action",
    "check_name": "motion_artifacts",
    "score": "0.5",
    "passed": "true",
}
BROKEN_ROWS = (
    {"score": "1.3"},
    {"score": "2"},
    {"score": "7", "passed": "maybe"},
    {"evaluated_at": "yesterday"},
)
# (file kind, rule) -> rows that broke it: what marts.quarantine_summary must hold for them.
BROKEN_ROW_RULES = {
    ("quality_scores", "score is above the maximum 1"): 3,
    ("quality_scores", "passed is not a boolean (true/false, 1/0, t/f)"): 1,
    ("quality_scores", "evaluated_at is not an ISO 8601 timestamp with a UTC offset"): 1,
}


def write_broken_rows(folder: Path) -> Path:
    """The file of BROKEN_ROWS in `folder` (CSV with the contract's header)."""
    columns = [column.name for column in QUALITY_SCORES.columns]
    lines = [",".join(columns)]
    for number, change in enumerate(BROKEN_ROWS):
        row = {**_GOOD_ROW, "score_id": f"qs-broken-{number}", **change}
        lines.append(",".join(row.get(column, "") for column in columns))
    path = folder / BROKEN_ROWS_FILE
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def demo_template(server_url: str, work_dir: Path) -> str:
    """Name of the session's fully built demo database (built on first use)."""
    if server_url in _templates:
        return _templates[server_url]
    from failmap.demo import PLANTED, write_demo_data

    name = f"dashboard_{uuid.uuid4().hex[:8]}"
    with database.connect(server_url, autocommit=True) as conn:
        conn.execute(f"create database {name} template {TEMPLATE_DATABASE}")
    url = with_database(server_url, name)
    files = work_dir / "demo"
    write_demo_data(
        files,
        days=PLANTED.default_days,
        segments_per_day=PLANTED.default_segments_per_day,
        seed=PLANTED.default_seed,
    )
    write_broken_rows(files)
    with database.connect(url) as conn:
        load_files(conn, sorted(files.iterdir()))
    # Every model (and seed) the project has, so new marts show up in the dashboard's tests
    # as soon as they land; their data and unit tests run in tests/dbt.
    run_dbt(url, ["build", "--exclude-resource-type", "test", "unit_test"], work_dir / "target")
    _templates[server_url] = name
    return name


def copy_of(server_url: str, template: str) -> str:
    """URL of a new database copied from `template` (which must have no open connection)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with database.connect(server_url, autocommit=True) as conn:
        conn.execute(f"create database {name} template {template}")
    return with_database(server_url, name)


def measure_fix(
    url: str,
    fix_id: int,
    pattern_key: str,
    *,
    before: tuple[int, int] | None = None,
    after: tuple[int, int] | None = None,
    credited: bool = False,
    explained_by: str | None = None,
    masked_by: str | None = None,
    verdict: str = "verified",
    seconds_from_now: int = 0,
) -> None:
    """Write what a refresh's marts.fix_effectiveness would say of a recorded fix: `verdict`,
    with the (failures, segments) `before` and `after` it when given, credited with its
    pattern's resolution or not, the version changes that account for the fall and those that
    may hide it."""
    rates = [None if side is None else side[0] / side[1] for side in (before, after)]
    with database.connect(url) as conn:
        conn.execute(
            "insert into marts.fix_effectiveness (fix_id, pattern_key, fix_description, "
            "reported_by, fixed_at, is_pattern_active, before_total_count, "
            "before_failure_count, before_failure_rate, after_total_count, after_failure_count, "
            "after_failure_rate, measured_verdict, is_credited_with_resolution, "
            "explained_by_changes, masked_by_changes) values "
            "(%s, %s, 'as recorded', 'as recorded', now() + make_interval(secs => %s), "
            "exists (select from marts.failure_patterns where pattern_key = %s"
            " and status in ('emerging', 'active')), "
            "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                fix_id,
                pattern_key,
                seconds_from_now,
                pattern_key,
                before[1] if before else 0,
                before[0] if before else 0,
                rates[0],
                after[1] if after else 0,
                after[0] if after else 0,
                rates[1],
                verdict,
                credited,
                explained_by,
                masked_by,
            ],
        )
