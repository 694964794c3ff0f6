"""Least privilege: the dashboard connects as `failmap_dashboard` (reads marts, writes app.*).

Migration 0003 creates the roles (`failmap_dashboard`, `failmap_pipeline`). The pipeline (ingest,
dbt, checks) keeps the configured login. The dashboard's login is chosen here, first that works:

1. `FAILMAP_DASHBOARD_DATABASE_URL`, when set (a managed server: a password for the role);
2. the configured server and database, signed in as `failmap_dashboard` without a password
   (works where the server trusts the connection: the embedded server's unix socket);
3. the configured login switched to the role at connection start (`options=-c role=...`, the
   migration makes that login a member). The role then bounds what the app's queries can do,
   though the session could `RESET ROLE`: a guard against mistakes, not against hostile code;
4. the configured login itself, with a warning (roles could not be created on this server).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from failmap import database

log = logging.getLogger(__name__)

DASHBOARD_ROLE = "failmap_dashboard"
PIPELINE_ROLE = "failmap_pipeline"
DASHBOARD_URL_VARIABLE = "FAILMAP_DASHBOARD_DATABASE_URL"


def with_user(url: str, user: str) -> str:
    """The same server and database, signed in as `user` without a password."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    query = [
        (key, value) for key, value in parse_qsl(parts.query) if key not in ("user", "password")
    ]
    return urlunsplit(
        parts._replace(
            netloc=f"{quote(user, safe='')}@{host}", query=urlencode(query, quote_via=quote)
        )
    )


def with_role(url: str, role: str) -> str:
    """The same login, switched to `role` as the connection starts (libpq `options`)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["options"] = f"{query.get('options', '')} -c role={role}".strip()
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def _signs_in_as(url: str, role: str) -> bool:
    try:
        with database.connect(url) as conn:
            row = conn.execute("select current_user").fetchone()
    except database.DatabaseUnreachable:
        return False
    return row is not None and row[0] == role


def dashboard_database_url(url: str, environ: Mapping[str, str] | None = None) -> str:
    """The URL the dashboard should use for the database at `url` (see the module docstring)."""
    env = os.environ if environ is None else environ
    explicit = env.get(DASHBOARD_URL_VARIABLE)
    if explicit:
        return explicit
    for candidate in (with_user(url, DASHBOARD_ROLE), with_role(url, DASHBOARD_ROLE)):
        if _signs_in_as(candidate, DASHBOARD_ROLE):
            return candidate
    log.warning(
        "the dashboard connects with the configured login: role %s is not available on %s "
        "(set %s to give it its own)",
        DASHBOARD_ROLE,
        database.redact(url),
        DASHBOARD_URL_VARIABLE,
    )
    return url
