"""The dashboard's database connection (one engine per server process)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine, create_engine

from failmap import database
from failmap.roles import dashboard_database_url
from failmap.settings import load_settings


@st.cache_resource
def database_url() -> str:
    """FAILMAP_DATABASE_URL, or the embedded server's URL (started if needed)."""
    return database.resolve_database_url(load_settings())


@st.cache_resource
def engine() -> Engine:
    """SQLAlchemy engine for the database failmap uses.

    Connected as the least-privileged role failmap_dashboard when the server allows it. No
    server-side prepared statements: pooled connections outlive refreshes, and a statement
    prepared before dbt swapped a mart fails with "cached plan must not change result type"
    when the mart's columns changed (seen with the API's pool on PostgreSQL 18).
    """
    url = dashboard_database_url(database_url())
    return create_engine(
        database.sqlalchemy_url(url),
        pool_pre_ping=True,
        connect_args={"prepare_threshold": None},
    )
