"""Matrix row 32: dbt runs two threads on the DuckDB file (one thread's query runs while the
other renders its next node; tests/integration/test_dbt_threads.py repeats such builds and
finds no transaction conflict), and one on a DuckLake (concurrent DuckLake commits have
failed: ducklake#1248)."""

from __future__ import annotations

from pathlib import Path

import yaml

PROFILES = Path(__file__).resolve().parents[2] / "dbt_project" / "profiles.yml"


def test_the_file_target_runs_two_threads_and_the_lake_one() -> None:
    profiles = yaml.safe_load(PROFILES.read_text(encoding="utf-8"))
    outputs = profiles["pressroom"]["outputs"]
    assert {name: output["type"] for name, output in outputs.items()} == {
        "default": "duckdb",
        "lake": "duckdb",
    }
    assert outputs["default"]["threads"] == 2
    assert outputs["lake"]["threads"] == 1
