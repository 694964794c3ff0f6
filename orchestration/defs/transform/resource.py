"""The dbt CLI resource, minus the work dagster-dbt does per run that failmap never uses."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliResource
from packaging import version


class FailmapDbtCliResource(DbtCliResource):
    """`DbtCliResource` without a `dbt --version` subprocess and a dbt adapter handle per run.

    Both sit in the path from a file landing to refreshed marts, and neither changes what dbt
    does or what Dagster records of it.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        """The installed dbt-core's version, from its package.

        dagster-dbt starts `dbt --version` in a subprocess before the first command of every run
        to learn the version (it supports engines not installed in Python): 5-10 s of Python
        start-up here. failmap always runs the dbt-core installed beside it.
        """
        from dbt.version import __version__

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        """No adapter handle: dagster-dbt uses it only for `fetch_column_metadata()` and
        `fetch_row_counts()`, which failmap's dbt assets do not call.

        Building it loads the profile and project and parses every macro of the project in the
        run's process: 1.4-2.6 s per refresh here. Without it (None) those two features return
        no metadata; calling them would need this method removed.
        """
        return None


def dbt_executable() -> str:
    """`failmap-dbt` when installed (`uv sync`), else `dbt`.

    `failmap-dbt` (`failmap/runtime/dbt_client.py`) forks dbt from the warm run worker inside a
    run the worker started, saving dbt's ~4 s import, and is the installed `dbt` elsewhere.
    """
    warm = Path(sys.executable).parent / "failmap-dbt"
    return str(warm) if warm.exists() else "dbt"
