"""Where the Great Expectations file context lives and how it reaches the database.

The context root is `expectations/` (committed: `great_expectations.yml`, suites in
`expectations/expectations/<schema>/<table>.json`, validation definitions and checkpoints derived
from them by `failmap.quality.scaffold`). Its datasource reads the connection string from the
variable `FAILMAP_GX_CONNECTION_STRING`, which failmap fills at run time from the database URL it
uses: no connection string or password is ever written to a committed file. Validation results
and Data Docs go to `expectations/uncommitted/` (git-ignored).
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from failmap.database import sqlalchemy_url

CONTEXT_ROOT = Path(__file__).resolve().parents[2] / "expectations"
SUITES_DIR = CONTEXT_ROOT / "expectations"
CONNECTION_VARIABLE = "FAILMAP_GX_CONNECTION_STRING"
DATASOURCE_NAME = "failmap"
BATCH_DEFINITION_NAME = "whole_table"
DATA_DOCS_SITE = "local_site"
DATA_DOCS_DIR = CONTEXT_ROOT / "uncommitted" / "data_docs" / DATA_DOCS_SITE


def suite_names(suites_dir: Path = SUITES_DIR) -> list[str]:
    """Every committed suite, named after the table it checks (`raw.quality_scores`)."""
    return sorted(
        f"{path.parent.name}.{path.stem}"
        for path in suites_dir.glob("*/*.json")
        if path.parent.parent == suites_dir
    )


def table_of(suite_name: str) -> tuple[str, str]:
    """(schema, table) a suite checks: suites are named `<schema>.<table>`."""
    schema, _, table = suite_name.partition(".")
    return schema, table


def gx_connection_string(url: str) -> str:
    """The URL as GX's postgres datasource accepts it.

    GX validates the URL with pydantic and refuses an empty host, which the embedded server's
    socket URLs have (`postgresql://postgres:@/db?host=/socket/dir`); libpq lets the `host` query
    parameter win, so `localhost` is a placeholder that is never dialled.
    """
    parts = urlsplit(sqlalchemy_url(url))
    if parts.hostname:
        return urlunsplit(parts)
    userinfo, _, _ = parts.netloc.rpartition("@")
    if parts.password == "":
        userinfo = userinfo.removesuffix(":")
    netloc = f"{userinfo}@localhost" if userinfo else "localhost"
    return urlunsplit(parts._replace(netloc=netloc))


@contextlib.contextmanager
def quiet_gx() -> Iterator[None]:
    """Swallow what GX prints to stdout (e.g. its `{batch}` hint for cross-table rules)."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def open_context(url: str | None = None, root: Path = CONTEXT_ROOT) -> Any:
    """The file context in `root`, its datasource pointed at `url` (GX imported here: slow)."""
    # GX would send usage statistics; failmap never talks to the internet.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    runtime = {CONNECTION_VARIABLE: gx_connection_string(url)} if url else {}
    with quiet_gx():
        return gx.get_context(mode="file", context_root_dir=str(root), runtime_environment=runtime)
