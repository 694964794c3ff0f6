"""Run one table's expectation suite (its GX checkpoint) and say what failed, how much, on what.

The checkpoint stores its validation result and updates the Data Docs under
`expectations/uncommitted/`. A table that does not exist yet (a mart no refresh has built) is
reported as such instead of as a crash.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from failmap import database
from failmap.quality.context import CONTEXT_ROOT, DATA_DOCS_DIR, open_context, quiet_gx
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
    validation = next(iter(checkpoint_result.run_results.values()))
    outcomes = [outcome_of(result) for result in validation.results]
    docs = root / DATA_DOCS_DIR.relative_to(CONTEXT_ROOT)
    return SuiteOutcome(suite=suite.name, expectations=outcomes, data_docs=docs / "index.html")


def prune_results(root: Path, suite_name: str, keep: int = KEEP_RESULTS) -> int:
    """Delete all but the newest `keep` stored results of a suite, and their Data Docs pages.

    Every refresh validates every suite; without pruning `uncommitted/` grows forever. Results
    are stored under `<schema>/<table>/<run name>/<run time>/`; run times sort as text.
    """
    schema, _, table = suite_name.partition(".")
    removed = 0
    for base in (
        root / "uncommitted" / "validations",
        root / DATA_DOCS_DIR.relative_to(CONTEXT_ROOT) / "validations",
    ):
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


def build_data_docs(url: str | None = None, *, root: Path = CONTEXT_ROOT) -> Path:
    """Rebuild the static Data Docs site from stored results; returns its index.html."""
    context = open_context(url, root=root)
    with quiet_gx():
        context.build_data_docs()
    return root / DATA_DOCS_DIR.relative_to(CONTEXT_ROOT) / "index.html"
