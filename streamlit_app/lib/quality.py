"""The latest Great Expectations results, read from the GX validation store (JSON files).

Operations runs the suites (as Dagster asset checks) and GX writes each result under
`expectations/uncommitted/validations/`. This module only reads the newest result of each suite;
it computes nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

REPO_ROOT = Path(__file__).resolve().parents[2]
VALIDATIONS_DIR_VARIABLE = "FAILMAP_GX_VALIDATIONS_DIR"


def validations_dir() -> Path:
    """Where GX keeps validation results (overridable for tests and deployments)."""
    override = os.environ.get(VALIDATIONS_DIR_VARIABLE)
    if override:
        return Path(override)
    return REPO_ROOT / "expectations" / "uncommitted" / "validations"


def _time_of(result: dict[str, Any], path: Path) -> str:
    meta = result.get("meta") or {}
    run_id = meta.get("run_id") or {}
    return str(
        meta.get("validation_time")
        or (run_id.get("run_time") if isinstance(run_id, dict) else None)
        or pd.Timestamp(path.stat().st_mtime, unit="s", tz="UTC").isoformat()
    )


def _failed_expectations(suite: str, result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for item in result.get("results") or []:
        if item.get("success", True):
            continue
        config = item.get("expectation_config") or {}
        kwargs = config.get("kwargs") or {}
        outcome = item.get("result") or {}
        examples = outcome.get("partial_unexpected_list") or outcome.get("details") or []
        rows.append(
            {
                "suite": suite,
                "expectation": config.get("type") or config.get("expectation_type"),
                "column": kwargs.get("column"),
                "description": (config.get("meta") or {}).get("description")
                or config.get("description"),
                "unexpected_count": outcome.get("unexpected_count"),
                "examples": json.dumps(examples, default=str)[:300],
            }
        )
    return rows


@st.cache_data(ttl=60, show_spinner=False)
def latest_results() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per suite: its newest result; one row per failed expectation in those)."""
    directory = validations_dir()
    newest: dict[str, tuple[str, dict[str, Any]]] = {}
    if directory.is_dir():
        for path in directory.rglob("*.json"):
            try:
                result = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            suite = result.get("suite_name") or (result.get("meta") or {}).get(
                "expectation_suite_name"
            )
            if not suite or "results" not in result:
                continue
            when = _time_of(result, path)
            if suite not in newest or when > newest[suite][0]:
                newest[suite] = (when, result)
    suites, failures = [], []
    for suite, (when, result) in sorted(newest.items()):
        statistics = result.get("statistics") or {}
        suites.append(
            {
                "suite": suite,
                "passed": bool(result.get("success")),
                "validated_at": pd.Timestamp(when),
                "expectations": statistics.get("evaluated_expectations"),
                "failed": statistics.get("unsuccessful_expectations"),
            }
        )
        failures += _failed_expectations(suite, result)
    return pd.DataFrame(suites), pd.DataFrame(failures)
