"""Cached reads of the marts; pages call these and compute nothing of their own."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import text

from lib.connection import engine

CACHE_SECONDS = 60


class MartMissing(LookupError):
    """A mart the page needs has not been built yet (run a refresh)."""


def _read(sql: str, params: dict[str, object] | None = None) -> pd.DataFrame:
    with engine().connect() as connection:
        return pd.read_sql_query(text(sql), connection, params=params or {})


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def mart_row_counts() -> pd.DataFrame:
    """Every table in the marts schema with its row count (estimates are not good enough here)."""
    tables = _read(
        "select table_name from information_schema.tables "
        "where table_schema = 'marts' order by table_name"
    )
    counts = []
    with engine().connect() as connection:
        for name in tables["table_name"]:
            # Identifier comes from the catalog, quoted; no user input reaches this SQL.
            quoted = '"' + name.replace('"', '""') + '"'
            count = connection.execute(text(f"select count(*) from marts.{quoted}")).scalar_one()  # noqa: S608
            counts.append({"table": f"marts.{name}", "rows": int(count)})
    return pd.DataFrame(counts, columns=["table", "rows"])


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def data_freshness() -> pd.Series:
    """The single row of marts.data_freshness."""
    try:
        frame = _read("select * from marts.data_freshness")
    except Exception as error:  # undefined table before the first refresh
        raise MartMissing("marts.data_freshness") from error
    if frame.empty:
        raise MartMissing("marts.data_freshness")
    return frame.iloc[0]
