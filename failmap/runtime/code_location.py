"""failmap's Dagster code location, found by the module name `workspace.yaml` gives it.

The core package runs the definitions (`failmap refresh`, the warm run worker) but never imports
`orchestration` by name: the dependency runs one way, from the definitions to the core, and the
module Dagster loads is configured in one place.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path

import dagster as dg
import yaml  # type: ignore[import-untyped]  # no stubs installed; only safe_load is used

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKSPACE = REPO_ROOT / "workspace.yaml"


@cache
def module_name(workspace: Path = WORKSPACE) -> str:
    """The Python module of the (only) code location in `workspace`."""
    document = yaml.safe_load(workspace.read_text(encoding="utf-8"))
    return str(document["load_from"][0]["python_module"]["module_name"])


_loaded: dg.Definitions | None = None


def load_definitions() -> dg.Definitions:
    """The code location's definitions, built on first use (its `defs` is a `@dg.definitions`
    factory) and kept for the life of the process."""
    global _loaded
    if _loaded is None:
        defs = importlib.import_module(module_name()).defs
        _loaded = defs() if callable(defs) else defs
    return _loaded


def loaded_definitions() -> dg.Definitions | None:
    """The definitions if this process has built them already, else None (never builds)."""
    return _loaded
