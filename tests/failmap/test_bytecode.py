"""The libraries' bytecode is compiled when the environment changed, and only then."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from failmap.bytecode import compile_when_changed


def _cached(module: Path) -> Path:
    return Path(importlib.util.cache_from_source(str(module)))


def test_compiles_once_then_again_after_a_package_changed(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    (site / "lib_a").mkdir(parents=True)
    first = site / "lib_a" / "__init__.py"
    first.write_text("VALUE = 1\n")
    marker = tmp_path / ".failmap-bytecode"
    lines: list[str] = []

    assert compile_when_changed(site, marker, lines.append)
    assert _cached(first).exists()
    assert len(lines) == 1
    # Nothing changed: not even the files are looked at.
    _cached(first).unlink()
    assert not compile_when_changed(site, marker, lines.append)
    assert not _cached(first).exists()

    # A package installed: its entry changes site-packages, so everything is compiled again.
    (site / "lib_b.py").write_text("VALUE = 2\n")
    # As an install minutes later would: the file system's clock ticks coarser than this test.
    changed = site.stat().st_mtime_ns + 1_000_000_000
    os.utime(site, ns=(changed, changed))
    assert compile_when_changed(site, marker, lines.append)
    assert _cached(site / "lib_b.py").exists()
    assert _cached(first).exists()
    assert len(lines) == 2
