"""The Dagster instance failmap writes: telemetry off, no first-visit pop-up, one run at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from failmap.dagster_home import ensure_dagster_home
from failmap.settings import load_settings


def test_dagster_instance_shows_no_first_visit_popup_and_sends_no_telemetry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dagster as dg

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "elsewhere"))
    home = ensure_dagster_home(load_settings({"FAILMAP_HOME": str(tmp_path / "home")}))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.nux_enabled is False
        assert instance.telemetry_enabled is False


def test_a_dagster_yaml_written_by_a_person_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "elsewhere"))
    config = tmp_path / "home" / "dagster" / "dagster.yaml"
    config.parent.mkdir(parents=True)
    config.write_text("telemetry:\n  enabled: true\n", encoding="utf-8")
    ensure_dagster_home(load_settings({"FAILMAP_HOME": str(tmp_path / "home")}))
    assert config.read_text(encoding="utf-8") == "telemetry:\n  enabled: true\n"
