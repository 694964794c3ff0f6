"""Least privilege: the dashboard and the API never connect with the pipeline's (owner) login.

Migration 0003 creates `failmap_dashboard` and `failmap_pipeline`, migration 0005 `failmap_api`.
The dashboard and the API role read marts and read and write app.*; neither can read raw or
staging, nor write raw or marts. The pipeline (ingest, dbt, checks) keeps the configured login.

The dashboard's login is chosen here, first that works:

1. `FAILMAP_DASHBOARD_DATABASE_URL`, when set (a managed server: a password for the role);
2. the configured server and database, signed in as `failmap_dashboard` without a password
   (works where the server trusts the connection: the embedded server's unix socket);
3. the configured login switched to the role at connection start (`options=-c role=...`, the
   migration makes that login a member). The role then bounds what the app's queries can do,
   though the session could `RESET ROLE`: a guard against mistakes, not against hostile code.

Nothing else: when none works (the roles could not be created on this server), `RoleUnavailable`
says what to configure. The privileged login is never used instead (fail closed).

The API's login is `FAILMAP_API_DATABASE_URL` when set, else the configured login switched to
`failmap_api` (3. above). It is chosen without connecting, so the API starts while the database
is down; if the role is missing, every request answers 503 with the server's reason.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from failmap import database

DASHBOARD_ROLE = "failmap_dashboard"
PIPELINE_ROLE = "failmap_pipeline"
API_ROLE = "failmap_api"
DASHBOARD_URL_VARIABLE = "FAILMAP_DASHBOARD_DATABASE_URL"
API_URL_VARIABLE = "FAILMAP_API_DATABASE_URL"


class RoleUnavailable(RuntimeError):
    """The least-privileged role cannot sign in, and failmap will not use a privileged login."""


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
    """The URL the dashboard should use for the database at `url` (see the module docstring).

    Raises DatabaseUnreachable when the server does not answer at all, and RoleUnavailable when
    it answers but `failmap_dashboard` cannot sign in.
    """
    env = os.environ if environ is None else environ
    explicit = env.get(DASHBOARD_URL_VARIABLE)
    if explicit:
        return explicit
    for candidate in (with_user(url, DASHBOARD_ROLE), with_role(url, DASHBOARD_ROLE)):
        if _signs_in_as(candidate, DASHBOARD_ROLE):
            return candidate
    with database.connect(url):  # DatabaseUnreachable: the server is down, not the role missing
        pass
    raise RoleUnavailable(
        f"the dashboard's database role {DASHBOARD_ROLE} cannot sign in on {database.redact(url)} "
        "and the dashboard will not use the pipeline's login instead. Run `failmap db migrate` "
        f"as a login that may create roles, or create a login in role {DASHBOARD_ROLE} and set "
        f"{DASHBOARD_URL_VARIABLE} to its URL (docs/deploy.md)."
    )


def api_database_url(url: str, environ: Mapping[str, str] | None = None) -> str:
    """The URL the API uses: FAILMAP_API_DATABASE_URL, else `url` switched to `failmap_api`.

    Decided without connecting, so the API starts while the database is down.
    """
    env = os.environ if environ is None else environ
    return env.get(API_URL_VARIABLE) or with_role(url, API_ROLE)
