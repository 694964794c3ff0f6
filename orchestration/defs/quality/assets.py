"""The Great Expectations Data Docs: a static site of every suite and its latest results."""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

from failmap.quality import worker
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
        # Last among the steps ready with it: the checks of the marts become ready when dbt
        # ends, as it does, and their results must be stored before it renders them.
        op_tags={"dagster/priority": "-1"},
        description=(
            "Great Expectations Data Docs, a static site under "
            "expectations/uncommitted/data_docs/: each suite's rules and its recent validation "
            "results. The checks store their results without rendering them (a failing suite "
            "renders its page at once); this asset, after them, renders every result and suite "
            "that has no page yet and the index, in one docs build. Served by `failmap docs`."
        ),
    )
    def data_docs(context, failmap: FailmapResource) -> dg.MaterializeResult:
        update = worker.update_data_docs_prepared(failmap.url())
        context.log.info(
            f"Data Docs: {update.validation_pages} validation and {update.suite_pages} suite "
            "pages rendered"
        )
        pages = list((DATA_DOCS_DIR / "validations").rglob("*.html"))
        return dg.MaterializeResult(
            metadata={
                "index": dg.MetadataValue.path(str(update.index)),
                "suites": dg.MetadataValue.int(len(checked)),
                "validation_pages": dg.MetadataValue.int(len(pages)),
                "rendered_now": dg.MetadataValue.int(update.validation_pages),
            }
        )

    return data_docs
