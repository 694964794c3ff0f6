"""docs/data-contract.md states the same input columns, types and required flags as the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from failmap.ingest.contract import FILE_KINDS, FileKind

DOC = Path(__file__).resolve().parents[3] / "docs" / "data-contract.md"


def documented_columns(kind: FileKind) -> list[tuple[str, str, bool]]:
    """(name, type, required) of each row of the doc's table under `### <kind>:`."""
    text = DOC.read_text(encoding="utf-8")
    section = re.search(rf"^### {kind.name}:.*?(?=^### |^## )", text, re.S | re.M)
    assert section, f"docs/data-contract.md has no '### {kind.name}:' section"
    rows = []
    for line in section.group(0).splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or cells[0] in ("column", "---"):
            continue
        rows.append((cells[0], cells[1], cells[2] == "yes"))
    return rows


@pytest.mark.parametrize("kind", FILE_KINDS, ids=lambda kind: kind.name)
def test_documented_columns_match_the_contract(kind: FileKind) -> None:
    expected = [(column.name, column.kind, column.required) for column in kind.columns]
    assert documented_columns(kind) == expected


@pytest.mark.parametrize("kind", FILE_KINDS, ids=lambda kind: kind.name)
def test_documented_choices_are_the_contracts(kind: FileKind) -> None:
    text = DOC.read_text(encoding="utf-8")
    for column in kind.columns:
        for choice in column.choices or ():
            assert f"`{choice}`" in text, f"{kind.name}.{column.name} choice {choice} undocumented"


def test_readme_points_into_the_repository_only() -> None:
    readme = (DOC.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "../shared" not in readme
    assert "docs/data-contract.md" in readme
