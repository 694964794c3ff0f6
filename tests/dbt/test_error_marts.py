"""The error marts on the demo data: every error classified as the planted truth says, counts
equal to what was written, planted concentrations found, nothing else."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from failmap import database
from failmap.demo import PLANTED
from failmap.errors.candidates import export_candidate_patterns
from tests.dbt.error_marts import DEMO_END

# The demo's family categories (failmap/demo/run_errors.py) in catalog terms.
CATALOG_CATEGORY = {
    "import": "import_error",
    "connection": "connection_error",
    "timeout": "timeout_error",
    "oom": "out_of_memory",
    "file_not_found": "missing_resource",
    "http": "missing_resource",
    "permission": "permission_error",
    "syntax": "syntax_error",
    "type": "type_error",
    "other": "unknown",
}


def family_of(message: str) -> str:
    [family] = [f.id for f in PLANTED.error_families if re.fullmatch(f.regex, message)]
    return family


def query(url: str, sql: str) -> pd.DataFrame:
    with database.connect(url) as conn:
        cursor = conn.execute(sql)
        return pd.DataFrame(cursor.fetchall(), columns=[c.name for c in cursor.description])


@pytest.fixture(scope="module")
def run_errors(demo_marts_url: str) -> pd.DataFrame:
    frame = query(demo_marts_url, "select * from marts.run_errors")
    families = {f.id: f for f in PLANTED.error_families}
    frame["family"] = frame["message"].map(family_of)
    frame["expected_category"] = frame["family"].map(
        lambda family: CATALOG_CATEGORY[families[family].category]
    )
    return frame


@pytest.fixture(scope="module")
def runs(demo_marts_url: str) -> pd.DataFrame:
    return query(
        demo_marts_url,
        "select run_id, status, failure_reason, phase_errors, recovery_attempted from raw.runs",
    )


def test_every_demo_error_gets_the_category_of_its_family(run_errors: pd.DataFrame) -> None:
    wrong = run_errors[run_errors["category"] != run_errors["expected_category"]]
    assert wrong.empty, wrong[["message", "category", "expected_category"]].head().to_string()
    assert set(run_errors["category"]) == set(CATALOG_CATEGORY.values())
    unknown = run_errors["category"] == "unknown"
    assert (run_errors.loc[unknown, "match_type"] == "signature").all()
    assert (run_errors.loc[~unknown, "match_type"] == "catalog").all()


def test_one_row_per_phase_error_and_one_fatal_per_failed_run(
    run_errors: pd.DataFrame, runs: pd.DataFrame
) -> None:
    phase_error_count = sum(len(errors or {}) for errors in runs["phase_errors"])
    assert len(run_errors) == phase_error_count  # demo failure reasons are phase errors too
    fatal = run_errors[run_errors["is_fatal"]]
    failed = runs[runs["status"] == "failed"]
    assert sorted(fatal["run_id"]) == sorted(failed["run_id"])
    reasons = dict(zip(failed["run_id"], failed["failure_reason"], strict=True))
    assert (fatal["message"] == fatal["run_id"].map(reasons)).all()


def test_recovered_errors_are_the_non_fatal_ones(run_errors: pd.DataFrame) -> None:
    recovered = run_errors["is_recovery_succeeded"].eq(True)
    assert (~run_errors.loc[recovered, "is_fatal"]).all()
    assert (run_errors.loc[~run_errors["is_fatal"], "is_recovery_succeeded"]).all()
    assert not run_errors.loc[run_errors["is_fatal"], "is_recovery_succeeded"].fillna(False).any()


def test_signatures_never_mix_families_and_unknown_families_have_one_each(
    run_errors: pd.DataFrame,
) -> None:
    families_per_signature = run_errors.groupby("signature_id")["family"].nunique()
    assert (families_per_signature == 1).all()
    unknown = run_errors[run_errors["category"] == "unknown"]
    assert unknown.groupby("family")["signature_id"].nunique().eq(1).all()
    other_families = {f.id for f in PLANTED.error_families if f.category == "other"}
    assert set(unknown["family"]) == other_families


def test_error_signatures_count_what_run_errors_hold(
    demo_marts_url: str, run_errors: pd.DataFrame
) -> None:
    signatures = query(demo_marts_url, "select * from marts.error_signatures")
    counts = run_errors["signature_id"].value_counts()
    assert dict(zip(signatures["signature_id"], signatures["occurrence_count"], strict=True)) == (
        counts.to_dict()
    )
    unknown = signatures[signatures["is_unknown"]]
    assert len(unknown) == 5
    assert set(unknown["suggested_category"]) <= {
        "worker_lost", "integrity", "encode_error", "generate_error",
    }  # fmt: skip
    for row in signatures.itertuples():
        assert 1 <= len(row.examples) <= 3
        assert all(re.fullmatch(row.candidate_pattern, e, re.S | re.I) for e in row.examples)


def test_error_summary_all_period_matches_the_runs_written(
    demo_marts_url: str, runs: pd.DataFrame, run_errors: pd.DataFrame
) -> None:
    summary = query(demo_marts_url, "select * from marts.error_summary where period_key = 'all'")
    [row] = summary.to_dict("records")
    statuses = Counter(runs["status"])
    assert (row["run_count"], row["failed_run_count"], row["cancelled_run_count"]) == (
        len(runs),
        statuses["failed"],
        statuses["cancelled"],
    )
    assert row["error_count"] == len(run_errors)
    assert row["classified_error_count"] == (run_errors["match_type"] == "catalog").sum()
    assert row["recovery_attempted_run_count"] == runs["recovery_attempted"].eq(True).sum()
    top = run_errors[run_errors["is_fatal"]]["category"].value_counts()
    assert row["top_category"] == top.index[0]
    assert row["most_problematic_phase"] == "generate"  # 40 % of failures, the planted shape


def test_every_grain_adds_up_to_the_whole(demo_marts_url: str) -> None:
    totals = query(
        demo_marts_url,
        "select period_grain, sum(run_count) as runs, sum(failed_run_count) as failed, "
        "sum(error_count) as errors from marts.error_summary group by period_grain",
    ).set_index("period_grain")
    assert totals.nunique().eq(1).all(), totals.to_string()
    trends = query(
        demo_marts_url,
        "select sum(failed_run_count) as failed, sum(error_count) as errors "
        "from marts.error_trends",
    )
    assert trends.iloc[0].tolist() == totals.loc["all", ["failed", "errors"]].tolist()


def test_phase_breakdown_matches_where_failed_runs_failed(
    demo_marts_url: str, runs: pd.DataFrame
) -> None:
    breakdown = query(
        demo_marts_url,
        "select phase, run_reached_count, failed_run_count, is_flagged "
        "from marts.phase_error_breakdown where period_grain = 'all' order by phase_order",
    )
    phases = list(breakdown["phase"])
    assert phases == ["load_model", "preprocess", "generate", "upscale", "encode", "upload"]
    failed = runs[runs["status"] == "failed"]
    failed_in = Counter(
        next(phase for phase, message in errors.items() if message == reason)
        for errors, reason in zip(failed["phase_errors"], failed["failure_reason"], strict=True)
    )
    assert dict(zip(breakdown["phase"], breakdown["failed_run_count"], strict=True)) == {
        phase: failed_in[phase] for phase in phases
    }
    succeeded = (runs["status"] == "succeeded").sum()
    reached = [
        succeeded + sum(failed_in[later] for later in phases[index:])
        for index in range(len(phases))
    ]
    assert list(breakdown["run_reached_count"]) == reached
    assert not breakdown["is_flagged"].any()  # every phase fails < 10 % of the runs reaching it


def test_recommendations_name_the_planted_concentrations_and_nothing_else(
    demo_marts_url: str,
) -> None:
    issues = query(demo_marts_url, "select * from marts.debug_recommendations")
    concentrated = issues.dropna(subset=["concentration_value"])
    found = {
        (row.recommendation_id, row.concentration_dimension, row.concentration_value)
        for row in concentrated.itertuples()
    }
    # PLANTED.run_error_effects: m04 fails with OOM, w03 with missing modules.
    assert found == {
        ("category:out_of_memory", "model", "m04"),
        ("category:import_error", "workflow", "w03"),
    }
    assert issues["priority_rank"].tolist() == sorted(issues["priority_rank"])
    assert set(issues.loc[issues["issue_type"] == "signature", "category"]) == {"unknown"}


def test_candidate_export_lists_the_frequent_unknown_signatures(
    demo_marts_url: str, tmp_path: Path
) -> None:
    import datetime as dt

    now = dt.datetime.combine(DEMO_END, dt.time(23, 59), dt.UTC)
    path = tmp_path / "exports" / "candidate_failure_patterns.json"
    with database.connect(demo_marts_url) as conn:
        export = export_candidate_patterns(conn, path, min_occurrences=5, days=60, now=now)
        unknown = conn.execute(
            "select signature_id, unclassified_count from marts.error_signatures "
            "where unclassified_count > 0"
        ).fetchall()
        patterns_hold = [
            conn.execute(
                "select bool_and(example ~* %s) from unnest(%s::text[]) as example",
                [c["suggested_pattern"], c["examples"]],
            ).fetchone()[0]
            for c in export.candidates
        ]
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["min_occurrences"] == 5 and document["window_days"] == 60
    assert {c["signature_id"] for c in document["candidates"]} == {
        signature for signature, count in unknown if count >= 5
    }
    occurrences = [c["occurrences"] for c in document["candidates"]]
    assert occurrences == sorted(occurrences, reverse=True)
    assert all(patterns_hold)


def test_candidate_export_honours_its_thresholds(demo_marts_url: str, tmp_path: Path) -> None:
    import datetime as dt

    path = tmp_path / "candidates.json"
    with database.connect(demo_marts_url) as conn:
        later = dt.datetime.combine(DEMO_END, dt.time(), dt.UTC) + dt.timedelta(days=400)
        assert export_candidate_patterns(conn, path, days=30, now=later).candidates == []
        end = dt.datetime.combine(DEMO_END, dt.time(23, 59), dt.UTC)
        none = export_candidate_patterns(conn, path, min_occurrences=10**6, now=end)
        assert none.candidates == []
        few = export_candidate_patterns(conn, path, min_occurrences=1, days=7, now=end)
    assert few.candidates and all(c["days_seen"] <= 7 for c in few.candidates)


def test_the_dbt_tests_of_the_error_marts_ran(demo_marts_url: str) -> None:
    # The fixture's `dbt build` fails on any failing test or broken constraint; this checks
    # each mart has rules: data tests, or constraints its contract declares
    # (tests/dbt/test_mart_constraints.py).
    manifest = json.loads(
        (Path(__file__).resolve().parents[2] / "dbt_project/target/manifest.json").read_text()
    )
    tested = {
        node["attached_node"].rsplit(".", 1)[1]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("attached_node")
    }
    constrained = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and any(column.get("constraints") for column in node["columns"].values())
    }
    marts = {"run_errors", "error_signatures", "error_summary", "phase_error_breakdown",
             "error_trends", "debug_recommendations"}  # fmt: skip
    assert marts <= tested | constrained
    with database.connect(demo_marts_url) as conn:
        built = conn.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' "
            "and table_name = any(%s)",
            [sorted(marts)],
        ).fetchone()[0]
    assert built == len(marts)
