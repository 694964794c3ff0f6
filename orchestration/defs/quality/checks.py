"""Great Expectations suites as Dagster asset checks, one per checked table.

Each check runs its table's GX checkpoint (`failmap.quality`) and returns what a person needs to
act: which rules broke, how many rows broke each, a few of them, and where the Data Docs are.
Checks on raw tables are blocking: a broken critical rule there would stop the dbt models
downstream in that run. Only what would make the marts wrong is critical; a file whose rows were
mostly quarantined is a warning (severity WARN, which never blocks), judged once when it arrives
(`failmap.quality.judgements`) and open until a person acknowledges it. Checks on marts never
block.

A suite whose table is not a model of the dbt project yet (a mart another feature will add) gets
no check until the model exists; a check whose table is missing when it runs says so.
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

from failmap.quality import worker
from failmap.quality.judgements import judge_new_files
from failmap.quality.suites import SUITES, Suite
from failmap.quality.validation import SuiteOutcome
from orchestration.defs.resources import FailmapResource

CHECK_NAME = "great_expectations"
EXAMPLES_IN_TABLE = 3


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def check_metadata(outcome: SuiteOutcome) -> dict[str, dg.MetadataValue]:
    """Counts, examples and the Data Docs location of one suite run, as check metadata."""
    if outcome.table_missing:
        return {
            "suite": dg.MetadataValue.text(outcome.suite),
            "status": dg.MetadataValue.text(
                f"{outcome.suite} does not exist: the table has not been built yet "
                "(run a refresh, or check the dbt step of this run)"
            ),
        }
    failures = outcome.failures
    rows = [
        "| rule | severity | result | unexpected | examples |",
        "| --- | --- | --- | --- | --- |",
    ]
    for item in sorted(outcome.expectations, key=lambda o: (o.success, o.rule)):
        result = "pass" if item.success else ("error: " + item.error if item.error else "FAIL")
        examples = "; ".join(_cell(e) for e in item.examples[:EXAMPLES_IN_TABLE])
        count = "" if item.unexpected_count is None else item.unexpected_count
        rows.append(f"| {item.rule} | {item.severity} | {_cell(result)} | {count} | {examples} |")
    metadata: dict[str, dg.MetadataValue] = {
        "suite": dg.MetadataValue.text(outcome.suite),
        "rules_evaluated": dg.MetadataValue.int(len(outcome.expectations)),
        "rules_failed": dg.MetadataValue.int(len(failures)),
        "unexpected_rows": dg.MetadataValue.int(sum(o.unexpected_count or 0 for o in failures)),
        "results": dg.MetadataValue.md("\n".join(rows)),
        "failures": dg.MetadataValue.json(
            {
                o.rule: {
                    "severity": o.severity,
                    "unexpected_count": o.unexpected_count,
                    "examples": o.examples,
                    "error": o.error,
                    "description": o.description,
                }
                for o in failures
            }
        ),
    }
    for item in outcome.expectations:
        if item.unexpected_count is not None:
            metadata[f"unexpected_{item.rule}"] = dg.MetadataValue.int(item.unexpected_count)
    if outcome.data_docs is not None:
        metadata["data_docs"] = dg.MetadataValue.path(str(outcome.data_docs))
    return metadata


def build_gx_check(suite: Suite) -> dg.AssetChecksDefinition:
    """The asset check that runs `suite` on the asset of the same table."""
    blocking = suite.schema == "raw"
    rules = "\n".join(f"- {rule.severity}: {rule.description}" for rule in suite.rules)

    @dg.asset_check(
        asset=dg.AssetKey([suite.schema, suite.table]),
        name=CHECK_NAME,
        blocking=blocking,
        description=(
            f"Great Expectations suite `{suite.name}`: {suite.notes}\n\n{rules}"
            + (
                "\n\nBlocking: a critical failure stops the models downstream; a warning never "
                "does."
                if blocking
                else ""
            )
        ),
    )
    # `context` unannotated: Dagster cannot read a postponed (string) annotation of it.
    def gx_check(context, failmap: FailmapResource) -> dg.AssetCheckResult:
        if suite.schema == "raw":
            # Files that arrived since the last check get their verdict now, once.
            for file_name, warning in judge_new_files(failmap.url(), suite.table):
                verdict = "WARNING: most rows quarantined" if warning else "ok"
                context.log.info(f"judged {file_name} at arrival: {verdict}")
        in_helper = worker.helper_running()
        outcome = worker.run_suite_prepared(failmap.url(), suite.name)
        context.log.info(
            f"{outcome.summary()} (run in {'the GX helper process' if in_helper else 'process'})"
        )
        return dg.AssetCheckResult(
            passed=outcome.passed,
            severity=dg.AssetCheckSeverity.ERROR
            if outcome.critical
            else dg.AssetCheckSeverity.WARN,
            metadata=check_metadata(outcome),
            description=outcome.summary(),
        )

    return gx_check


def build_gx_checks(asset_keys: Iterable[dg.AssetKey]) -> list[dg.AssetChecksDefinition]:
    """A check for every suite whose table is one of `asset_keys` (the others wait)."""
    present = set(asset_keys)
    return [
        build_gx_check(suite)
        for suite in SUITES
        if dg.AssetKey([suite.schema, suite.table]) in present
    ]
