"""The instance yaml: written for new homes and earlier pressroom versions, never over an
operator's own file. The command line's settings keep what the environment says."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orchestration.cli.instance import (
    INSTANCE_SETTINGS,
    dagster_yaml,
    settings_for,
    write_dagster_yaml,
)
from orchestration.settings import DagsterSettings


def _managed(dagster_home: Path) -> str:
    return dagster_yaml(1, DagsterSettings(), dagster_home)


def test_new_and_earlier_homes_get_the_progress_relay(tmp_path: Path) -> None:
    fresh, earlier = tmp_path / "fresh.yaml", tmp_path / "earlier.yaml"
    earlier.write_text(INSTANCE_SETTINGS, encoding="utf-8")
    for path in (fresh, earlier):
        write_dagster_yaml(path, _managed(tmp_path))
        handlers = yaml.safe_load(path.read_text(encoding="utf-8"))["python_logs"][
            "dagster_handler_config"
        ]["handlers"]
        assert handlers["pressroom_progress"]["class"] == "orchestration.cli.events.RunEventRelay"


def test_an_operators_own_yaml_is_left_alone(tmp_path: Path) -> None:
    own = tmp_path / "dagster.yaml"
    own.write_text(
        "telemetry:\n  enabled: false\nrun_queue:\n  max_concurrent_runs: 2\n", encoding="utf-8"
    )
    before = own.read_text(encoding="utf-8")
    write_dagster_yaml(own, _managed(tmp_path))
    assert own.read_text(encoding="utf-8") == before
    assert _managed(tmp_path).startswith("# written by pressroom")


def test_a_moved_home_gets_its_own_event_log_path(tmp_path: Path) -> None:
    path = tmp_path / "dagster.yaml"
    write_dagster_yaml(path, _managed(tmp_path / "old place"))
    write_dagster_yaml(path, _managed(tmp_path / "new 'place' é"))
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert config["event_log_storage"]["config"]["home"] == str(tmp_path / "new 'place' é")


def test_home_and_sources_from_the_command_line_keep_the_other_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # regression (merge of #9 and #12): `--home` dropped the first year and allowed endpoints
    monkeypatch.setenv("PRESSROOM_FIRST_YEAR", "2015")
    monkeypatch.setenv("PRESSROOM_ALLOWED_ENDPOINTS", "127.0.0.1:8080")
    settings = settings_for(str(tmp_path / "home"), str(tmp_path / "sources.yaml"))
    assert settings.home == tmp_path / "home"
    assert settings.sources_file == tmp_path / "sources.yaml"
    assert settings.first_year == 2015
    assert settings.allowed_endpoints == ("127.0.0.1:8080",)
