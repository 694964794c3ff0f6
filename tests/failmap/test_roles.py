"""Least privilege: the dashboard's and the API's roles read marts and write app.*, and cannot
read raw or write raw or marts; neither falls back to a privileged login; the migration that
creates the roles runs in any number of databases of one server; the app signs in as the role on
the embedded server."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest
from alembic import command
from sqlalchemy import create_engine, pool

from failmap import database
from failmap.migrations import apply_migrations
from failmap.migrations.runner import _config
from failmap.roles import (
    API_ROLE,
    DASHBOARD_ROLE,
    PIPELINE_ROLE,
    RoleUnavailable,
    api_database_url,
    dashboard_database_url,
    with_role,
    with_user,
)
from tests.conftest import with_database

# A mart, a predictor table and an intermediate model as dbt builds them: created after the
# migration, by the login that ran it.
MART_SQL = (
    "create table marts.failure_patterns as select 'lora=l07' as pattern_key, 0.5 as rate; "
    "create table predictions.prediction_parameters as select 0.05::float8 as overall_rate; "
    "create table intermediate.int_cells_aggregated as select 'x' as cell_key"
)

FORBIDDEN = [
    "select count(*) from raw.quality_scores",
    "select count(*) from raw.quarantine",
    "insert into raw.runs (run_id, started_at, status, file_id, source_line) "
    "values ('r1', now(), 'failed', 1, 1)",
    "update raw.ingested_files set status = 'rejected'",
    "delete from raw.quality_scores",
    "truncate raw.runs",
    "insert into marts.failure_patterns values ('x', 0.1)",
    "update marts.failure_patterns set rate = 0",
    "delete from marts.failure_patterns",
    "drop table marts.failure_patterns",
    "create table marts.planted (a int)",
    "create table raw.planted (a int)",
    "create schema planted",
    "select count(*) from intermediate.int_cells_aggregated",
    "delete from predictions.prediction_parameters",
    "create table predictions.planted (a int)",
    # Judging delivered files is the pipeline's; the dashboard may only acknowledge a warning.
    "insert into app.file_judgements (file_id, rule, file_name, file_kind, "
    "rows_in_file, rows_quarantined, max_quarantined_share, is_warning) "
    "values (1, 'r', 'f', 'runs', 1, 1, 0.05, true)",
]


@pytest.fixture
def owner_url(fresh_database_url: str) -> str:
    with database.connect(fresh_database_url) as conn:
        conn.execute(MART_SQL)  # type: ignore[arg-type]
    return fresh_database_url


@pytest.fixture
def dashboard(owner_url: str) -> Iterator[psycopg.Connection]:
    with database.connect(dashboard_database_url(owner_url, environ={})) as conn:
        yield conn


def test_the_migration_creates_both_roles(server_url: str) -> None:
    with database.connect(server_url) as conn:
        roles = dict(
            conn.execute(
                "select rolname, rolcanlogin from pg_roles where rolname in (%s, %s)",
                [DASHBOARD_ROLE, PIPELINE_ROLE],
            ).fetchall()
        )

    assert roles == {DASHBOARD_ROLE: True, PIPELINE_ROLE: False}


def test_the_migration_creates_the_api_role(server_url: str) -> None:
    with database.connect(server_url) as conn:
        assert conn.execute(
            "select count(*) from pg_roles where rolname = %s", [API_ROLE]
        ).fetchone() == (1,)


def test_the_migration_runs_again_in_a_new_database_of_the_same_server(server_url: str) -> None:
    name = f"t_{uuid.uuid4().hex[:12]}"
    with database.connect(server_url, autocommit=True) as conn:
        conn.execute(f"create database {name}")  # empty: not from the migrated template
    url = with_database(server_url, name)

    assert apply_migrations(url)  # roles exist already: no error, grants for this database

    with database.connect(url) as conn:
        grants = conn.execute(
            "select has_table_privilege(%s, 'app.pattern_fixes', 'insert'), "
            "has_table_privilege(%s, 'raw.runs', 'insert'), "
            "has_table_privilege(%s, 'raw.runs', 'insert')",
            [DASHBOARD_ROLE, DASHBOARD_ROLE, PIPELINE_ROLE],
        ).fetchone()
    assert grants == (True, False, True)


def test_the_dashboard_signs_in_as_its_role_on_the_embedded_server(owner_url: str) -> None:
    url = dashboard_database_url(owner_url, environ={})

    assert url == with_user(owner_url, DASHBOARD_ROLE)
    with database.connect(url) as conn:
        assert conn.execute("select current_user").fetchone() == (DASHBOARD_ROLE,)


def test_an_explicit_dashboard_url_wins(owner_url: str) -> None:
    explicit = "postgresql://reader:secret@db.internal/failmap"

    url = dashboard_database_url(owner_url, environ={"FAILMAP_DASHBOARD_DATABASE_URL": explicit})

    assert url == explicit


def test_the_dashboard_reads_marts_and_writes_app(dashboard: psycopg.Connection) -> None:
    assert dashboard.execute("select pattern_key from marts.failure_patterns").fetchall() == [
        ("lora=l07",)
    ]
    fix_id = dashboard.execute(
        "insert into app.pattern_fixes (pattern_key, fix_description, reported_by) "
        "values ('lora=l07', 'lower the LoRA weight to 0.6', 'ann') returning fix_id"
    ).fetchone()
    dashboard.execute(
        "insert into app.compatibility_notes (dimension, dimension_value, note, fix_id, "
        "reported_by) values ('lora', 'l07', 'unstable above 0.7', %s, 'ann')",
        fix_id,
    )
    dashboard.execute("insert into app.alert_log (configuration, severity) values ('{}', 'none')")
    dashboard.execute("update app.pattern_fixes set effectiveness = 'resolved'")
    # The check's predictor tables (failmap check, the Check page).
    assert dashboard.execute(
        "select overall_rate from predictions.prediction_parameters"
    ).fetchall() == [(0.05,)]
    assert dashboard.execute("select count(*) from app.pattern_fixes").fetchone() == (1,)


@pytest.mark.parametrize("statement", FORBIDDEN)
@pytest.mark.parametrize(
    "role_url", [dashboard_database_url, api_database_url], ids=["dashboard", "api"]
)
def test_the_app_roles_cannot_read_raw_or_write_raw_or_marts(
    owner_url: str, role_url: Callable[..., str], statement: str
) -> None:
    with (
        database.connect(role_url(owner_url, environ={})) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(statement)  # type: ignore[arg-type]


def test_the_role_switch_fallback_has_the_same_limits(owner_url: str) -> None:
    with database.connect(with_role(owner_url, DASHBOARD_ROLE)) as conn:
        assert conn.execute("select current_user").fetchone() == (DASHBOARD_ROLE,)
        assert conn.execute("select count(*) from marts.failure_patterns").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("delete from marts.failure_patterns")


def test_a_pipeline_login_writes_raw_but_not_app(owner_url: str) -> None:
    login = f"etl_{uuid.uuid4().hex[:8]}"
    with database.connect(owner_url, autocommit=True) as conn:
        conn.execute(f"create role {login} login in role {PIPELINE_ROLE}")
    try:
        with database.connect(with_user(owner_url, login)) as etl:
            etl.execute(
                "insert into raw.ingested_files (file_name, sha256, size_bytes, status) "
                "values ('runs_1.csv', 'abc', 1, 'loaded')"
            )
            etl.execute("create table staging.scratch (a int)")
            etl.execute("create table intermediate.scratch (a int)")
            etl.execute("create table predictions.scratch (a int)")
            assert etl.execute("select count(*) from app.pattern_fixes").fetchone() == (0,)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                etl.execute(
                    "insert into app.pattern_fixes (pattern_key, fix_description, reported_by) "
                    "values ('k', 'd', 'etl')"
                )
    finally:
        with database.connect(owner_url, autocommit=True) as conn:
            conn.execute(f"drop owned by {login}")
            conn.execute(f"drop role {login}")


def test_downgrade_takes_the_grants_back_and_upgrade_restores_them(owner_url: str) -> None:
    config = _config(owner_url)
    engine = create_engine(database.sqlalchemy_url(owner_url), poolclass=pool.NullPool)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    engine.dispose()

    def can_insert_app() -> bool:
        with database.connect(owner_url) as conn:
            query = "select has_table_privilege(%s, 'app.pattern_fixes', 'insert')"
            return conn.execute(query, [DASHBOARD_ROLE]).fetchone()[0]

    assert not can_insert_app()  # the role stays: other databases of the server still use it
    apply_migrations(owner_url)
    assert can_insert_app()


@pytest.fixture
def api(owner_url: str) -> Iterator[psycopg.Connection]:
    with database.connect(api_database_url(owner_url, environ={})) as conn:
        yield conn


def test_the_api_connects_as_its_own_role(api: psycopg.Connection) -> None:
    assert api.execute("select current_user").fetchone() == (API_ROLE,)


def test_the_api_reads_marts_and_writes_app(api: psycopg.Connection) -> None:
    assert api.execute("select count(*) from marts.failure_patterns").fetchone() == (1,)
    assert api.execute("select count(*) from predictions.prediction_parameters").fetchone() == (1,)
    api.execute(
        "insert into app.pattern_fixes (pattern_key, fix_description, reported_by) "
        "values ('lora=l07', 'lower the LoRA weight', 'tool')"
    )
    api.execute("insert into app.alert_log (configuration, severity) values ('{}', 'none')")


def test_an_explicit_api_url_wins(owner_url: str) -> None:
    explicit = "postgresql://api:secret@db.internal/failmap"

    assert api_database_url(owner_url, environ={"FAILMAP_API_DATABASE_URL": explicit}) == explicit


@pytest.fixture
def unprivileged_owner(owner_url: str) -> Iterator[str]:
    """A login that owns nothing special, is in no failmap role, and where the dashboard role
    may not connect: neither role can be reached from it."""
    login = f"own_{uuid.uuid4().hex[:8]}"
    dbname = owner_url.partition("?")[0].rsplit("/", 1)[1]
    with database.connect(owner_url, autocommit=True) as conn:
        conn.execute(f"create role {login} login")
        conn.execute(f"revoke connect on database {dbname} from public, {DASHBOARD_ROLE}")
        conn.execute(f"grant connect on database {dbname} to {login}")
        conn.execute(f"grant usage on schema marts to {login}")
        conn.execute(f"grant select on all tables in schema marts to {login}")
    try:
        yield with_user(owner_url, login)
    finally:
        with database.connect(owner_url, autocommit=True) as conn:
            conn.execute(f"drop owned by {login}")
            conn.execute(f"drop role {login}")


def test_the_dashboard_never_falls_back_to_the_configured_login(unprivileged_owner: str) -> None:
    with pytest.raises(RoleUnavailable, match="FAILMAP_DASHBOARD_DATABASE_URL"):
        dashboard_database_url(unprivileged_owner, environ={})


def test_the_dashboard_says_when_the_database_is_down() -> None:
    down = "postgresql://ann@127.0.0.1:1/failmap?connect_timeout=1"

    with pytest.raises(database.DatabaseUnreachable):
        dashboard_database_url(down, environ={})


def test_the_api_never_falls_back_to_the_configured_login(unprivileged_owner: str) -> None:
    with pytest.raises(database.DatabaseUnreachable, match="failmap_api"):
        database.connect(api_database_url(unprivileged_owner, environ={}))
