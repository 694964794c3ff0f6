"""Importing the code location does nothing but define; Dagster's loading it prepares what it needs.

Both run against a copy of the checkout's tracked files with no `dbt_project/target/`, as a fresh
clone has: an import may neither parse the dbt project nor start a process, and loading the
code location the way Dagster does must still work there (it prepares the manifest itself).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

# What a fresh clone needs to load the code location.
SOURCES = ("failmap", "orchestration", "dbt_project", "expectations", "workspace.yaml")

# Run in a process whose arguments say `api execute_run`: the condition under which an import
# used to start the Great Expectations helper (a process started to execute a run).
# Dagster is imported before the hook: its own import runs `file` (its vendored croniter asks
# platform.architecture()), which is not failmap's doing.
IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil, sys
from pathlib import Path

import dagster, dagster_dbt

events = []
target = str(Path("dbt_project", "target").resolve())
PROCESS_EVENTS = {"subprocess.Popen", "os.fork", "os.forkpty", "os.posix_spawn", "os.exec",
                  "os.system", "os.spawn"}

def audit(event, args):
    if event in PROCESS_EVENTS:
        events.append(f"{event} {args[0]!r}"[:200])
    elif event == "open" and isinstance(args[0], str) and args[0].startswith(target):
        events.append(f"open {args[0]}")

sys.addaudithook(audit)
import orchestration
modules = [orchestration.__name__] + [
    info.name for info in pkgutil.walk_packages(orchestration.__path__, "orchestration.")
]
for name in modules:
    importlib.import_module(name)
print(json.dumps({"modules": modules, "events": events}))
"""


@pytest.fixture
def fresh_checkout(tmp_path: Path) -> Path:
    """The tracked (and new, unignored) files of this checkout, copied without build output."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", *SOURCES],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    checkout = tmp_path / "checkout"
    for name in listed:
        source = REPO_ROOT / name
        if source.is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, checkout / name)
    assert not (checkout / "dbt_project" / "target").exists()
    return checkout


def _env(checkout: Path, tmp_path: Path) -> dict[str, str]:
    """The copy's packages ahead of the installed checkout; a Dagster home of its own."""
    return {
        **os.environ,
        "PYTHONPATH": str(checkout),
        "DAGSTER_HOME": str(tmp_path / "dagster"),
        "FAILMAP_HOME": str(tmp_path / "home"),
    }


def test_importing_every_definitions_module_starts_no_process_and_writes_no_target(
    fresh_checkout: Path, tmp_path: Path
) -> None:
    (tmp_path / "dagster").mkdir()
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_MODULE, "api", "execute_run"],
        cwd=fresh_checkout,
        env=_env(fresh_checkout, tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "orchestration.defs.quality.checks" in report["modules"]
    assert "orchestration.defs.transform.project" in report["modules"]
    assert report["events"] == []
    assert not (fresh_checkout / "dbt_project" / "target").exists()


@pytest.mark.slow
def test_the_code_location_loads_from_a_fresh_clone(fresh_checkout: Path, tmp_path: Path) -> None:
    """`dagster definitions validate` loads it as the webserver and `dagster api grpc` do."""
    (tmp_path / "dagster").mkdir()
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "definitions",
            "validate",
            "-m",
            "orchestration.definitions",
        ],
        cwd=fresh_checkout,
        env=_env(fresh_checkout, tmp_path),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert (fresh_checkout / "dbt_project" / "target" / "manifest.json").is_file()
