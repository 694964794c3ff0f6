"""The dashboard's database connection (one engine per server process), and whether it answers.

Nothing is cached while the database is down or the dashboard's role cannot sign in: an
exception is never kept by `st.cache_resource`, so the next run tries again, and the dashboard
recovers by itself once the database is back. It never connects with the pipeline's login.
"""

from __future__ import annotations

import psycopg
import streamlit as st
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import OperationalError

from failmap import database
from failmap.roles import RoleUnavailable, dashboard_database_url
from failmap.settings import load_settings

# What a read raises when the server does not answer (down, restarting, unreachable).
DATABASE_DOWN_ERRORS = (database.DatabaseUnreachable, OperationalError, psycopg.OperationalError)
CONNECT_TIMEOUT_SECONDS = 5


@st.cache_resource
def database_url() -> str:
    """FAILMAP_DATABASE_URL, or the embedded server's URL (started if needed)."""
    return database.resolve_database_url(load_settings())


@st.cache_resource
def engine() -> Engine:
    """SQLAlchemy engine for the database failmap uses, as the role failmap_dashboard.

    Raises DatabaseUnreachable when the server does not answer and RoleUnavailable when the role
    cannot sign in (see failmap.roles; there is no fallback to a privileged login). No
    server-side prepared statements: pooled connections outlive refreshes, and a statement
    prepared before dbt swapped a mart fails with "cached plan must not change result type"
    when the mart's columns changed (seen with the API's pool on PostgreSQL 18).
    """
    url = dashboard_database_url(database_url())
    return create_engine(
        database.sqlalchemy_url(url),
        pool_pre_ping=True,
        connect_args={"prepare_threshold": None, "connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )


def database_problem() -> Exception | None:
    """Why the dashboard cannot read now (the database is down, or the role is not set up)."""
    try:
        # Signing in answers the question; a pooled connection is pinged on checkout
        # (pool_pre_ping), so a server that went away since is noticed too.
        with engine().connect():
            pass
    except (*DATABASE_DOWN_ERRORS, RoleUnavailable) as error:
        return error
    return None
