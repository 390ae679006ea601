"""The instance yaml: written for new homes and earlier pressroom versions, never over an
operator's own file."""

from __future__ import annotations

from pathlib import Path

import yaml

from orchestration.cli.instance import DAGSTER_YAML, INSTANCE_SETTINGS, write_dagster_yaml


def test_new_and_earlier_homes_get_the_progress_relay(tmp_path: Path) -> None:
    fresh, earlier = tmp_path / "fresh.yaml", tmp_path / "earlier.yaml"
    earlier.write_text(INSTANCE_SETTINGS, encoding="utf-8")
    for path in (fresh, earlier):
        write_dagster_yaml(path)
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
    write_dagster_yaml(own)
    assert own.read_text(encoding="utf-8") == before
    assert DAGSTER_YAML.startswith("# written by pressroom")
