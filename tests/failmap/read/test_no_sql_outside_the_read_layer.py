"""The surfaces read the marts only through failmap/read: no page, route, report, metric or
check builds SQL of its own.

Scans the Python sources of every surface (AST, docstrings left out) for what building or
running SQL looks like: a string that reads like a query, a call that runs one (`execute`,
`read_sql`, SQLAlchemy's `text`, psycopg's `sql.SQL`), and an import of psycopg's `sql`
module or SQLAlchemy's `text`. App-owned writes go through core functions (failmap.fixes,
failmap.alerts), which are not surfaces.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

SURFACES = (
    "streamlit_app",
    "failmap/api",
    "failmap/report",
    "failmap/metrics",
    "failmap/commands",
    "failmap/alerts/store.py",
)
# Files of the surfaces allowed to talk to the database directly, with the reason.
ALLOWED = {
    # Checks that a pooled connection still works (an empty statement), not a read of data.
    "failmap/api/pool.py",
}
# A query names what it reads after `from` ("... the run it came from." is prose).
QUERY_TEXT = re.compile(
    r"\bselect\b[\s\S]+\bfrom\s+\w|\binsert\s+into\b|\bdelete\s+from\b|\bupdate\s+[\w.]+\s+set\b"
    r"|\bfrom\s+(marts|app|raw|staging|intermediate|predictions)\.\w+",
    re.IGNORECASE,
)
RUNNING_CALLS = frozenset(
    {"execute", "executemany", "read_sql", "read_sql_query", "read_sql_table", "text", "SQL"}
)
# `st.text(...)` shows plain text on a page; SQLAlchemy's `text(...)` is the one that counts.
STREAMLIT = frozenset({"st", "streamlit"})


def surface_files() -> list[Path]:
    files: list[Path] = []
    for surface in SURFACES:
        path = REPO_ROOT / surface
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return [f for f in files if f.relative_to(REPO_ROOT).as_posix() not in ALLOWED]


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def sql_built_in(path: Path) -> list[str]:
    """What in `path` builds or runs SQL: `line: what`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and QUERY_TEXT.search(node.value)
        ):
            found.append(f"{node.lineno}: query text {node.value.strip()[:60]!r}")
        elif isinstance(node, ast.Call):
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else None
            name = function.id if isinstance(function, ast.Name) else name
            shows_text = (
                isinstance(function, ast.Attribute)
                and isinstance(function.value, ast.Name)
                and function.value.id in STREAMLIT
            )
            if name in RUNNING_CALLS and not shows_text:
                found.append(f"{node.lineno}: call of {name}()")
        elif isinstance(node, ast.ImportFrom) and node.module in ("psycopg", "sqlalchemy"):
            names = {alias.name for alias in node.names}
            if names & {"sql", "text"}:
                found.append(f"{node.lineno}: from {node.module} import {sorted(names)}")
    return found


@pytest.mark.parametrize(
    "path", surface_files(), ids=lambda path: path.relative_to(REPO_ROOT).as_posix()
)
def test_surface_builds_no_sql_of_its_own(path: Path) -> None:
    found = sql_built_in(path)
    assert not found, (
        f"{path.relative_to(REPO_ROOT)} builds SQL: {found}. Put the query in failmap/read/sql "
        "with a function and a row type in failmap/read (docs/architecture.md)."
    )


def test_the_scan_finds_what_a_route_used_to_do(tmp_path: Path) -> None:
    route = tmp_path / "route.py"
    route.write_text(
        '"""A route that selects rows from its mart."""\n'
        "from psycopg import sql\n"
        "def rows(conn):\n"
        '    return conn.execute("select pattern_key from marts.failure_patterns").fetchall()\n'
        "def page(conn):\n"
        '    return sql.SQL("select {} from t").format(sql.Identifier("x"))\n'
        "def shown(st, engine):\n"
        '    st.text("Select an error to read the run it came from.")\n'
        '    return engine.execute(text("select 1 from app.notes"))\n',
        encoding="utf-8",
    )
    found = sql_built_in(route)
    assert sorted(line.split(":")[0] for line in found) == ["2", "4", "4", "6", "6", "9", "9", "9"]
    assert {line.split(": ", 1)[1].split(" ")[0] for line in found} == {"from", "query", "call"}


def test_every_surface_is_scanned() -> None:
    scanned = {path.relative_to(REPO_ROOT).as_posix() for path in surface_files()}
    for expected in (
        "streamlit_app/lib/queries.py",
        "streamlit_app/app_pages/patterns.py",
        "failmap/api/routes/patterns.py",
        "failmap/report/builder.py",
        "failmap/metrics/collector.py",
        "failmap/alerts/store.py",
    ):
        assert expected in scanned
