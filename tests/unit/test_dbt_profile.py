"""Matrix row 32: dbt runs one thread on the DuckDB file (dbt-duckdb's multi-threaded builds
on one local file have raised transaction conflicts); every target of the profile pins it."""

from __future__ import annotations

from pathlib import Path

import yaml

PROFILES = Path(__file__).resolve().parents[2] / "dbt_project" / "profiles.yml"


def test_every_dbt_target_runs_one_thread() -> None:
    profiles = yaml.safe_load(PROFILES.read_text(encoding="utf-8"))
    outputs = profiles["pressroom"]["outputs"]
    assert outputs
    for name, output in outputs.items():
        assert output["type"] == "duckdb", name
        assert output["threads"] == 1, name
