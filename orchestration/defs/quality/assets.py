"""The Great Expectations Data Docs: a static site of every suite and its latest results."""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

from failmap.quality.context import DATA_DOCS_DIR
from failmap.quality.suites import SUITES
from orchestration.defs.resources import FailmapResource

DATA_DOCS_KEY = dg.AssetKey(["quality", "data_docs"])


def build_data_docs_asset(asset_keys: Iterable[dg.AssetKey]) -> dg.AssetsDefinition:
    """The Data Docs asset, downstream of every asset that has a suite."""
    present = set(asset_keys)
    checked = [
        key for suite in SUITES if (key := dg.AssetKey([suite.schema, suite.table])) in present
    ]

    @dg.asset(
        key=DATA_DOCS_KEY,
        deps=checked,
        group_name="quality",
        kinds={"great_expectations", "html"},
        description=(
            "Great Expectations Data Docs, a static site under "
            "expectations/uncommitted/data_docs/: each suite's rules and its recent validation "
            "results. Every check updates the site as it runs (its validation page and the "
            "index); this asset builds the whole site only when it is missing, and reports "
            "where it is. Served by `failmap docs`."
        ),
    )
    def data_docs(failmap: FailmapResource) -> dg.MaterializeResult:
        index = DATA_DOCS_DIR / "index.html"
        if not index.exists():
            # A full rebuild renders every stored result: only when there is no site at all.
            from failmap.quality.validation import build_data_docs

            index = build_data_docs(failmap.url())
        pages = list((DATA_DOCS_DIR / "validations").rglob("*.html"))
        return dg.MaterializeResult(
            metadata={
                "index": dg.MetadataValue.path(str(index)),
                "suites": dg.MetadataValue.int(len(checked)),
                "validation_pages": dg.MetadataValue.int(len(pages)),
            }
        )

    return data_docs
