"""The Great Expectations Data Docs: a static site of every suite and its latest results."""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

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
            "results. Every check updates it as it runs; this rebuilds the index once the run's "
            "tables are built. Served by `failmap docs`."
        ),
    )
    def data_docs(failmap: FailmapResource) -> dg.MaterializeResult:
        from failmap.quality.validation import build_data_docs

        index = build_data_docs(failmap.url())
        return dg.MaterializeResult(
            metadata={
                "index": dg.MetadataValue.path(str(index)),
                "suites": dg.MetadataValue.int(len(checked)),
            }
        )

    return data_docs
