"""The Great Expectations suites run as Dagster asset checks: blocking on raw tables, with the
numbers and examples as metadata; a file whose rows were mostly quarantined is a warning, judged
once at arrival, that never stops the dbt models and stays open until acknowledged."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from failmap import database
from failmap.quality.context import CONTEXT_ROOT, DATA_DOCS_DIR
from failmap.quality.judgements import acknowledge_warning, file_warnings
from failmap.quality.suites import SUITES
from failmap.quality.validation import ExpectationOutcome, SuiteOutcome, pending_pages
from failmap.runtime.refresh import summarize
from orchestration.definitions import defs
from orchestration.defs.quality.checks import CHECK_NAME, check_metadata
from orchestration.defs.resources import FailmapResource
from tests.failmap.ingest.conftest import run_row, score_row, write_csv

pytestmark = pytest.mark.filterwarnings("ignore")


def _gx_checks() -> dict[str, dg.AssetCheckKey]:
    graph = defs().resolve_asset_graph()
    return {
        key.asset_key.to_user_string(): key
        for key in graph.asset_check_keys
        if key.name == CHECK_NAME
    }


def test_every_suite_whose_table_is_an_asset_has_a_check() -> None:
    graph = defs().resolve_asset_graph()
    tables = {f"{s.schema}/{s.table}" for s in SUITES}
    assets = {key.to_user_string() for key in graph.get_all_asset_keys()}

    assert set(_gx_checks()) == tables & assets
    assert {"raw/quality_scores", "raw/runs", "marts/data_freshness"} <= set(_gx_checks())


def test_checks_on_raw_tables_block_and_checks_on_marts_do_not() -> None:
    graph = defs().resolve_asset_graph()
    for table, key in _gx_checks().items():
        spec = graph.get_check_spec(key)
        assert spec.blocking is table.startswith("raw/"), table


def test_a_missing_table_gets_metadata_saying_so() -> None:
    metadata = check_metadata(
        SuiteOutcome(suite="marts.failure_patterns", expectations=[], table_missing=True)
    )

    assert "has not been built yet" in str(metadata["status"].value)


def test_failed_rules_come_with_counts_and_examples_in_the_metadata() -> None:
    outcome = SuiteOutcome(
        suite="raw.runs",
        expectations=[
            ExpectationOutcome(
                rule="finished_after_started",
                description="No run finished before it started.",
                severity="warning",
                success=False,
                unexpected_count=2,
                examples=[{"run_id": "r1"}, {"run_id": "r2"}],
            ),
            ExpectationOutcome("not_in_future", "...", "warning", True, 0),
        ],
    )

    metadata = check_metadata(outcome)

    assert metadata["rules_failed"].value == 1
    assert metadata["unexpected_rows"].value == 2
    assert metadata["unexpected_finished_after_started"].value == 2
    assert metadata["unexpected_not_in_future"].value == 0
    assert metadata["failures"].value["finished_after_started"]["examples"][0] == {"run_id": "r1"}
    assert "r1" in str(metadata["results"].value)


def _refresh(env: dict[str, str]) -> dg.ExecuteInProcessResult:
    resources = {
        "failmap": FailmapResource(
            inbox=env["FAILMAP_INBOX"], database_url=env["FAILMAP_DATABASE_URL"]
        )
    }
    # Disposed on exit: an ephemeral instance holds in-memory SQLite connections, and left to
    # the garbage collector they are closed in whatever thread collects them (see open_page).
    with dg.DagsterInstance.ephemeral() as instance:
        return (
            defs()
            .resolve_job_def("refresh")
            .execute_in_process(instance=instance, resources=resources, raise_on_error=False)
        )


def _evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {
        event.event_specific_data.asset_key.to_user_string(): event.event_specific_data
        for event in result.all_events
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
    }


def _started(result: dg.ExecuteInProcessResult) -> set[str]:
    return set(_step_order(result))


def _step_order(result: dg.ExecuteInProcessResult) -> list[str]:
    return [
        str(event.step_key)
        for event in result.all_events
        if event.event_type == dg.DagsterEventType.STEP_START
    ]


def _index_links_latest_result(suite_name: str) -> bool:
    schema, _, table = suite_name.partition(".")
    results = CONTEXT_ROOT / "uncommitted" / "validations"
    newest = max((results / schema / table).glob("*/*/*.json"), key=lambda path: path.parent.name)
    page = "validations/" + str(newest.relative_to(results).with_suffix(".html"))
    return page in (DATA_DOCS_DIR / "index.html").read_text(encoding="utf-8")


QUARANTINED = (2, 5, 7)


def _mostly_quarantined_scores(inbox: Path) -> None:
    rows = [score_row(i) for i in range(10)]
    for bad in QUARANTINED:
        rows[bad]["segment_position"] = "0"  # breaks the contract: quarantined
    write_csv(inbox / "quality_scores_bad.csv", rows)


def test_a_mostly_quarantined_delivery_warns_and_the_marts_still_build(
    failmap_env: dict[str, str],
) -> None:
    inbox = Path(failmap_env["FAILMAP_INBOX"])
    _mostly_quarantined_scores(inbox)
    write_csv(inbox / "runs_ok.csv", [run_row(i) for i in range(5)])

    result = _refresh(failmap_env)

    evaluations = _evaluations(result)
    scores = evaluations["raw/quality_scores"]
    assert not scores.passed
    assert scores.severity == dg.AssetCheckSeverity.WARN
    assert scores.metadata["rules_failed"].value == 1
    assert scores.metadata["unexpected_quarantined_share_per_file"].value == 1
    failure = scores.metadata["failures"].value["quarantined_share_per_file"]
    assert failure["severity"] == "warning"
    assert failure["examples"][0]["file_name"] == "quality_scores_bad.csv"
    assert failure["examples"][0]["rows_quarantined"] == 3
    assert evaluations["raw/runs"].passed
    assert "failmap_dbt_models" in _started(result)  # quarantined rows cannot reach the marts
    summary = summarize(result)
    assert summary.ok, summary.lines()  # a warning is no failure: `failmap refresh` exits 0
    assert summary.checks_warned >= 1
    assert any("quarantined_share_per_file" in line for line in summary.warnings)
    assert any(line.startswith("  warning raw/quality_scores") for line in summary.lines())
    # The run's one Data Docs update comes after every check and renders each one's result.
    order = _step_order(result)
    checks = [step for step in order if step.endswith(f"_{CHECK_NAME}")]
    assert order.index("quality__data_docs") > max(order.index(step) for step in checks)
    assert pending_pages() == []
    assert _index_links_latest_result("raw.runs")
    assert _index_links_latest_result("marts.data_freshness")


@pytest.mark.slow
def test_a_bad_file_is_judged_once_never_blocks_later_data_and_can_be_acknowledged(
    failmap_env: dict[str, str],
) -> None:
    inbox = Path(failmap_env["FAILMAP_INBOX"])
    url = failmap_env["FAILMAP_DATABASE_URL"]
    _mostly_quarantined_scores(inbox)
    _refresh(failmap_env)
    write_csv(inbox / "quality_scores_later.csv", [score_row(i) for i in range(100, 140)])

    later = _refresh(failmap_env)

    assert "failmap_dbt_models" in _started(later)
    assert summarize(later).ok
    with database.connect(url) as conn:
        segments = conn.execute("select segment_count from marts.data_freshness").fetchone()[0]
        judged = conn.execute(
            "select file_name, is_warning from app.file_judgements order by file_name"
        ).fetchall()
    loaded = [i for i in [*range(10), *range(100, 140)] if i not in QUARANTINED]
    assert segments == len({score_row(i)["segment_id"] for i in loaded})
    assert judged == [("quality_scores_bad.csv", True), ("quality_scores_later.csv", False)]
    (warning,) = file_warnings(url)
    assert not _evaluations(later)["raw/quality_scores"].passed  # open until acknowledged

    acknowledge_warning(url, warning.file_id, "ann", "sender fixed their export")
    after = _refresh(failmap_env)

    assert _evaluations(after)["raw/quality_scores"].passed
    assert file_warnings(url) == []
    (seen,) = file_warnings(url, include_acknowledged=True)
    assert (seen.acknowledged_by, seen.acknowledgement_note) == ("ann", "sender fixed their export")
