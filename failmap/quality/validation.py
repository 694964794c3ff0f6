"""Run one table's expectation suite (its GX checkpoint) and say what failed, how much, on what.

The checkpoint stores its validation result under `expectations/uncommitted/`. Its Data Docs
page is rendered later, with every other new result, by one `update_data_docs` at the end of the
run (the `quality/data_docs` asset): GX compiles its Jinja templates for each docs build, which
cost ~80 % of a suite's time when every checkpoint updated the docs. A suite that fails renders
its page at once, since a run can stop before its end and a failure is what people open the docs
for. A table that does not exist yet (a mart no refresh has built) is reported as such instead of
as a crash.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from failmap import database
from failmap.quality.context import (
    CONTEXT_ROOT,
    DATA_DOCS_DIR,
    open_context,
    quiet_gx,
    suite_names,
    table_of,
)
from failmap.quality.suites import suite as suite_named

EXAMPLE_LIMIT = 5
# Validation results (and their Data Docs pages) kept per suite; older ones are deleted.
KEEP_RESULTS = 30


@dataclass(frozen=True)
class ExpectationOutcome:
    """How one rule fared: `unexpected_count` rows broke it, `examples` show a few."""

    rule: str
    description: str
    severity: str
    success: bool
    unexpected_count: int | None = None
    examples: list[Any] = field(default_factory=list)
    observed_value: Any = None
    error: str | None = None

    @property
    def fails_check(self) -> bool:
        return not self.success and self.severity in ("critical", "warning")


@dataclass(frozen=True)
class SuiteOutcome:
    """A suite run: every rule's outcome, or why the table could not be checked."""

    suite: str
    expectations: list[ExpectationOutcome]
    table_missing: bool = False
    data_docs: Path | None = None

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.expectations if outcome.fails_check]

    @property
    def passed(self) -> bool:
        return not self.table_missing and not self.failures

    @property
    def critical(self) -> bool:
        """A critical rule failed (or the table is missing): downstream must not build on it."""
        return self.table_missing or any(o.severity == "critical" for o in self.failures)

    def summary(self) -> str:
        if self.table_missing:
            return f"{self.suite}: table not built yet"
        if self.passed:
            return f"{self.suite}: all {len(self.expectations)} rules hold"
        parts = [f"{o.rule} ({o.unexpected_count} unexpected)" for o in self.failures]
        return f"{self.suite}: {len(self.failures)} rules broken: " + ", ".join(parts)


def table_exists(url: str, qualified_name: str) -> bool:
    with database.connect(url) as conn:
        row = conn.execute("select to_regclass(%s)", [qualified_name]).fetchone()
        return row is not None and row[0] is not None


def _examples(result: dict[str, Any]) -> list[Any]:
    details = result.get("details") or {}
    rows = details.get("unexpected_rows")
    if rows:
        return [_jsonable(row) for row in list(rows)[:EXAMPLE_LIMIT]]
    values = result.get("partial_unexpected_list") or []
    return [_jsonable(value) for value in values[:EXAMPLE_LIMIT]]


def _jsonable(value: Any) -> Any:
    """Rows and values as plain JSON types (dates and decimals as text)."""
    return json.loads(json.dumps(value, default=str))


def _unexpected_count(expectation_type: str, result: dict[str, Any]) -> int | None:
    if result.get("unexpected_count") is not None:
        return int(result["unexpected_count"])
    if expectation_type == "unexpected_rows_expectation":
        # Its observed value is the number of rows the query returned.
        return int(result.get("observed_value") or 0)
    if "element_count" in result:
        return 0  # a column rule over no rows: nothing unexpected
    return None


def _exception_message(info: dict[str, Any]) -> str | None:
    """The first line of the error GX caught (flat, or keyed by the metric that raised it)."""
    candidates = [info, *(value for value in info.values() if isinstance(value, dict))]
    for candidate in candidates:
        message = candidate.get("exception_message")
        if candidate.get("raised_exception", True) and message:
            lines = [line for line in str(message).strip().splitlines() if line.strip()]
            return lines[0][:500] if lines else "error"
    return None


def outcome_of(validation_result: Any) -> ExpectationOutcome:
    """One GX ExpectationValidationResult as an ExpectationOutcome."""
    config = validation_result.expectation_config
    meta = config.meta or {}
    severity = getattr(config.severity, "value", config.severity) or "critical"
    error = _exception_message(validation_result.exception_info or {})
    result = validation_result.result or {}
    return ExpectationOutcome(
        rule=str(meta.get("rule") or config.type),
        description=config.description or config.type,
        severity=str(severity),
        success=bool(validation_result.success),
        unexpected_count=_unexpected_count(config.type, result),
        observed_value=_jsonable(result.get("observed_value")),
        examples=_examples(result),
        error=error,
    )


def run_suite(url: str, suite_name: str, *, root: Path = CONTEXT_ROOT) -> SuiteOutcome:
    """Run the checkpoint of `suite_name` against the database at `url`."""
    suite = suite_named(suite_name)
    if not table_exists(url, suite.name):
        return SuiteOutcome(suite=suite.name, expectations=[], table_missing=True)
    # Prune first: the checkpoint then rebuilds the Data Docs index over what is left.
    prune_results(root, suite.name, keep=KEEP_RESULTS - 1)
    context = open_context(url, root=root)
    with quiet_gx():
        checkpoint_result = context.checkpoints.get(suite.name).run()
    identifier, validation = next(iter(checkpoint_result.run_results.items()))
    outcome = SuiteOutcome(
        suite=suite.name,
        expectations=[outcome_of(result) for result in validation.results],
        data_docs=_site(root) / "index.html",
    )
    if outcome.critical:
        # The run may stop here (a blocking raw check), before its one Data Docs update: the
        # page must exist now. A warning's page waits for that update, which renders every new
        # page in one docs build (a build here cost 0.4-0.9 s before dbt, at every refresh of a
        # home whose raw data warns); a run that fails later leaves it to the next update.
        _render_data_docs(context, [identifier])
    return outcome


def _site(root: Path) -> Path:
    return root / DATA_DOCS_DIR.relative_to(CONTEXT_ROOT)


def prune_results(root: Path, suite_name: str, keep: int = KEEP_RESULTS) -> int:
    """Delete all but the newest `keep` stored results of a suite, and their Data Docs pages.

    Every refresh validates every suite; without pruning `uncommitted/` grows forever. Results
    are stored under `<schema>/<table>/<run name>/<run time>/`; run times sort as text.
    """
    schema, _, table = suite_name.partition(".")
    removed = 0
    for base in (root / "uncommitted" / "validations", _site(root) / "validations"):
        runs = sorted(
            (
                run_time
                for run_name in (base / schema / table).glob("*")
                for run_time in run_name.glob("*")
            ),
            key=lambda path: path.name,
            reverse=True,
        )
        for stale in runs[keep:]:
            shutil.rmtree(stale, ignore_errors=True)
            removed += 1
    return removed


def pending_pages(root: Path = CONTEXT_ROOT) -> list[tuple[str, ...]]:
    """Stored validation results without a Data Docs page, as GX key tuples.

    Results are `uncommitted/validations/<schema>/<table>/<run name>/<run time>/<batch>.json`,
    their pages the same path under the site's `validations/` with `.html`. Read from the file
    system, so a run with nothing new does not import GX.
    """
    results = root / "uncommitted" / "validations"
    pages = _site(root) / "validations"
    return sorted(
        path.relative_to(results).with_suffix("").parts
        for path in results.glob("*/*/*/*/*.json")
        if not (pages / path.relative_to(results)).with_suffix(".html").exists()
    )


def stale_suite_pages(root: Path = CONTEXT_ROOT) -> list[str]:
    """Suites whose Data Docs page is missing or older than the suite's file."""
    stale = []
    for name in suite_names(root / "expectations"):
        schema, table = table_of(name)
        source = root / "expectations" / schema / f"{table}.json"
        page = _site(root) / "expectations" / schema / f"{table}.html"
        if not page.exists() or page.stat().st_mtime < source.stat().st_mtime:
            stale.append(name)
    return stale


@dataclass(frozen=True)
class DataDocsUpdate:
    """What `update_data_docs` rendered: validation and suite pages, and where the index is."""

    index: Path
    validation_pages: int
    suite_pages: int


def update_data_docs(url: str | None = None, *, root: Path = CONTEXT_ROOT) -> DataDocsUpdate:
    """Render the page of every stored result (and suite) that has none, and the index, at once.

    One docs build for all of a run's results compiles GX's templates once instead of once per
    suite. Results an earlier run left unrendered (it stopped before its docs update) are caught
    up too. Nothing new and an index present: GX is not even imported.
    """
    index = _site(root) / "index.html"
    pending, suites = pending_pages(root), stale_suite_pages(root)
    if index.exists() and not pending and not suites:
        return DataDocsUpdate(index, 0, 0)
    context = open_context(url, root=root)
    wanted = set(pending)
    # The store's own keys: the docs builder compares them with what it is given.
    identifiers: list[Any] = [
        key for key in context.validation_results_store.list_keys() if key.to_tuple() in wanted
    ]
    identifiers += [
        key for key in context.expectations_store.list_keys() if key.name in set(suites)
    ]
    _render_data_docs(context, identifiers)
    return DataDocsUpdate(index, len(pending), len(suites))


def _render_data_docs(context: Any, identifiers: list[Any]) -> None:
    """Render the pages of `identifiers` and the index; with none, the whole site."""
    with quiet_gx():
        # An empty list would mean "everything" to GX too; say so.
        context.build_data_docs(resource_identifiers=identifiers or None)
