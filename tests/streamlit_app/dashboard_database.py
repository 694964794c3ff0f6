"""A database with every mart built from the planted demo data, for the dashboard's tests.

Built once per test session (demo files -> ingest -> `dbt build` without its data tests, in
process) into a template database; each test module gets its own copy (`create database ...
template ...` copies files, about a second), so fixes one module records are not seen by another.
Both the AppTest tests and the browser tests use it.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from failmap import database
from failmap.ingest import load_files
from tests.conftest import TEMPLATE_DATABASE, with_database
from tests.dbt.conftest import run_dbt

_templates: dict[str, str] = {}


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
