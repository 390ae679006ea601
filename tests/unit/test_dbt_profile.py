"""Matrix row 32: dbt runs two threads on the DuckDB file (one thread's query runs while the
other renders its next node; tests/integration/test_dbt_threads.py repeats such builds and
finds no transaction conflict), and one on a DuckLake (concurrent DuckLake commits have
failed: ducklake#1248)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import yaml

from orchestration.warehouse.dbt_command import TWO_THREADS_MAX_DAYS, dbt_build_args
from orchestration.window import Window

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


def test_a_whole_or_long_build_runs_on_one_thread() -> None:
    """A day's build uses the profile's threads; every day, or a window longer than a month
    (a backfill), one: there two queries at once only add memory."""
    day = date(2024, 3, 1)
    short = Window(day, day + timedelta(days=TWO_THREADS_MAX_DAYS))
    long = Window(day, day + timedelta(days=TWO_THREADS_MAX_DAYS + 1))
    assert "--threads" not in dbt_build_args(Window(day, day + timedelta(days=1)), "/w.duckdb")
    assert "--threads" not in dbt_build_args(short, "/w.duckdb")
    for window in (long, None):
        args = dbt_build_args(window, "/w.duckdb")
        assert args[args.index("--threads") + 1] == "1"
