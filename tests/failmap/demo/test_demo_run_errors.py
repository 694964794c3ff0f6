"""Run statuses and error messages: realistic shares, families with variable parts, consistency."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from conftest import Written

from failmap.demo import PLANTED
from failmap.demo.run_errors import ERROR_FAMILIES, PHASES


def _family_of(message: str) -> list[str]:
    return [family.id for family in ERROR_FAMILIES if family.matches(message)]


@pytest.fixture(scope="module")
def failed(default_data: Written) -> pd.DataFrame:
    runs = default_data.runs
    failed = runs[runs["status"] == "failed"].copy()
    failed["phase_errors"] = failed["phase_errors"].map(json.loads)
    failed["family"] = failed["failure_reason"].map(lambda m: _family_of(m)[0])
    failed["phase"] = failed["phase_errors"].map(lambda errors: list(errors)[-1])
    return failed


def test_each_family_example_matches_only_its_own_regex() -> None:
    for family in ERROR_FAMILIES:
        assert _family_of(family.example) == [family.id]
        assert set(family.phases) <= set(PHASES)


def test_status_shares_are_about_8_percent_failed_and_1_percent_cancelled(
    default_data: Written,
) -> None:
    shares = default_data.runs["status"].value_counts(normalize=True)
    assert abs(shares["failed"] - PLANTED.run_failed_share) < 0.01
    assert abs(shares["cancelled"] - PLANTED.run_cancelled_share) < 0.004


def test_failed_runs_carry_code_reason_phase_errors_and_step(failed: pd.DataFrame) -> None:
    assert failed["error_code"].notna().all()
    assert failed["step_index"].notna().all()
    assert failed["recovery_succeeded"].isna().eq(~failed["recovery_attempted"]).all()
    assert not failed["recovery_succeeded"].fillna(False).any()
    # The fatal error is the last phase entry; earlier entries are recovered transient errors.
    assert (
        failed["phase_errors"].map(lambda e: list(e.values())[-1]) == failed["failure_reason"]
    ).all()
    for errors in failed["phase_errors"]:
        order = [PHASES.index(phase) for phase in errors]
        assert order == sorted(order) and len(set(order)) == len(order)


def test_every_message_belongs_to_exactly_one_family_raised_in_an_allowed_phase(
    default_data: Written,
) -> None:
    families = {family.id: family for family in ERROR_FAMILIES}
    runs = default_data.runs.dropna(subset=["phase_errors"])
    assert len(runs) > 500
    for errors in runs["phase_errors"].map(json.loads):
        for phase, message in errors.items():
            matched = _family_of(message)
            assert len(matched) == 1, message
            assert phase in families[matched[0]].phases, (phase, message)


def test_error_codes_follow_the_family(failed: pd.DataFrame) -> None:
    codes = {family.id: family.error_code for family in ERROR_FAMILIES}
    assert (failed["family"].map(codes) == failed["error_code"]).all()


def test_messages_are_varied_and_every_family_occurs(failed: pd.DataFrame) -> None:
    assert set(failed["family"]) == {family.id for family in ERROR_FAMILIES}
    assert failed["failure_reason"].nunique() > 0.8 * len(failed)
    assert failed["error_code"].nunique() < failed["family"].nunique()  # codes are coarser
    unusual = {"nan_latent", "empty_batch", "ffmpeg_exit", "checksum_mismatch", "heartbeat_lost"}
    assert failed["family"].isin(unusual).mean() > 0.1


def test_phase_decides_how_many_segments_a_failed_job_produced(
    default_data: Written, failed: pd.DataFrame
) -> None:
    produced = default_data.quality_scores.drop_duplicates("segment_id").groupby("job_id").size()
    count = failed["run_id"].map(produced).fillna(0).astype(int)
    planned = failed["context"].map(lambda c: json.loads(c)["segments_planned"])
    early = failed["phase"].isin(["load_model", "preprocess"])
    late = failed["phase"].isin(["upscale", "encode", "upload"])
    assert (count[early] == 0).all()
    assert (count[late] == planned[late]).all()
    generate = failed["phase"] == "generate"
    assert (count[generate] < planned[generate]).all()
    # Step index: 0 load_model, 1 preprocess, 2.. segments, then upscale, encode, upload.
    assert (failed["step_index"][early] == failed["phase"][early].map(PHASES.index)).all()
    assert (failed["step_index"][generate] == count[generate] + 2).all()


def test_succeeded_runs_may_report_a_recovered_transient_error(default_data: Written) -> None:
    runs = default_data.runs
    succeeded = runs[runs["status"] == "succeeded"]
    assert succeeded["error_code"].isna().all() and succeeded["failure_reason"].isna().all()
    recovered = succeeded[succeeded["phase_errors"].notna()]
    assert 0.01 < len(recovered) / len(succeeded) < 0.05
    assert recovered["recovery_attempted"].all() and recovered["recovery_succeeded"].all()
    quiet = succeeded[succeeded["phase_errors"].isna()]
    assert (~quiet["recovery_attempted"]).all() and quiet["recovery_succeeded"].isna().all()


def test_cancelled_runs_name_who_cancelled_and_no_error(default_data: Written) -> None:
    cancelled = default_data.runs[default_data.runs["status"] == "cancelled"]
    assert cancelled["error_code"].isna().all() and cancelled["phase_errors"].isna().all()
    assert cancelled["context"].map(lambda c: "cancelled_by" in json.loads(c)).all()
    assert cancelled["step_index"].notna().all()


def _oom_share(runs: pd.DataFrame, model: str) -> float:
    failed = runs[(runs["status"] == "failed") & (runs["model"] == model)]
    return failed["failure_reason"].str.startswith("torch.OutOfMemoryError").mean()


def test_run_error_effects_are_planted_only_with_effects(
    default_data: Written, null_data: Written
) -> None:
    assert _oom_share(default_data.runs, "m04") > 2 * _oom_share(default_data.runs, "m01")
    assert _oom_share(null_data.runs, "m04") < 1.5 * _oom_share(null_data.runs, "m01")
    # Only the kind of error moves: the same jobs fail in the same phase.
    on, off = default_data.runs, null_data.runs
    assert (on["status"].to_numpy() == off["status"].to_numpy()).all()
    assert np.array_equal(on["step_index"].fillna(-1), off["step_index"].fillna(-1))


def test_messages_have_variable_parts_for_grouping(failed: pd.DataFrame) -> None:
    oom = failed.loc[failed["family"] == "cuda_oom", "failure_reason"]
    sizes = oom.map(lambda m: re.search(r"allocate ([\d.]+) GiB", m)[1])
    assert sizes.nunique() > 3
    paths = failed.loc[failed["family"] == "file_not_found", "failure_reason"]
    assert paths.str.contains("/mnt/models/loras/").any() and paths.str.contains("/mnt/refs/").any()
