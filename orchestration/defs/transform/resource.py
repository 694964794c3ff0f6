"""The dbt CLI resource, minus a `dbt --version` subprocess per run."""

from __future__ import annotations

import sys
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource
from packaging import version


class FailmapDbtCliResource(DbtCliResource):
    """`DbtCliResource` that takes dbt's version from the installed dbt-core package.

    dagster-dbt starts `dbt --version` in a subprocess before the first command of every run
    to learn the version (it supports engines not installed in Python). That costs 5-10 s of
    Python start-up here, in the path from a file landing to refreshed marts; failmap always
    runs the dbt-core installed beside it, so the package metadata gives the same answer.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__

        return version.parse(__version__)


def dbt_executable() -> str:
    """`failmap-dbt` when installed (`uv sync`), else `dbt`.

    `failmap-dbt` (`orchestration/dbt_client.py`) forks dbt from the warm run worker inside a
    run the worker started, saving dbt's ~4 s import, and is the installed `dbt` elsewhere.
    """
    warm = Path(sys.executable).parent / "failmap-dbt"
    return str(warm) if warm.exists() else "dbt"
