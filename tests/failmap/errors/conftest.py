"""Fixtures for the error grouping tests: the benchmark module and the loghub samples."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def grouping_benchmark() -> ModuleType:
    """benchmarks/error_grouping.py, loaded by path (benchmarks/ is scripts, not a package)."""
    path = REPO_ROOT / "benchmarks" / "error_grouping.py"
    spec = importlib.util.spec_from_file_location("error_grouping_benchmark", path)
    assert spec is not None and spec.loader is not None, f"cannot load {path}"
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def loghub_dir(grouping_benchmark: ModuleType) -> Path:
    """The loghub 2k samples next to the repository; the test is skipped when they are absent."""
    found = grouping_benchmark.find_loghub_dir(REPO_ROOT)
    if found is None:
        looked = ", ".join(str(path) for path in grouping_benchmark.loghub_candidates(REPO_ROOT))
        pytest.skip(f"loghub samples not found (looked in {looked}; or set FAILMAP_LOGHUB_DIR)")
    return found
