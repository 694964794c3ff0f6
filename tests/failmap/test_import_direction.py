"""The core package never imports the Dagster code location: definitions depend on the core."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT

CORE = REPO_ROOT / "failmap"
DEFINITIONS_PACKAGE = "orchestration"


def imported_modules(path: Path) -> list[str]:
    """Every module an `import` or `from ... import` statement in `path` names, at any depth."""
    modules: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.append(node.module)
    return modules


def test_no_core_module_imports_orchestration() -> None:
    offenders = [
        f"{path.relative_to(REPO_ROOT)}: import {module}"
        for path in sorted(CORE.rglob("*.py"))
        for module in imported_modules(path)
        if module == DEFINITIONS_PACKAGE or module.startswith(f"{DEFINITIONS_PACKAGE}.")
    ]
    assert not offenders, "the core imports the code location:\n" + "\n".join(offenders)


def test_the_walk_sees_imports_inside_functions(tmp_path: Path) -> None:
    source = tmp_path / "module.py"
    source.write_text("def f():\n    from orchestration.definitions import defs\n    import os\n")
    assert imported_modules(source) == ["orchestration.definitions", "os"]
