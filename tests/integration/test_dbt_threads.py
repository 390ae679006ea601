"""Matrix row 32: dbt builds the DuckDB file on the profile's threads (2) without transaction
conflicts (dbt-duckdb#513), build after build, and a build on two threads holds the same
marts as one on a single thread.

One full build, then windowed builds of the fixture's days in turn, as new days arrive: 3 in
the default run, the matrix's 20 with ``-m slow``.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from orchestration.window import Window
from tests.integration.dbt_fixtures import (
    BATCH_1,
    BATCH_2,
    DBT_PROJECT_DIR,
    load_releases,
    mart_rows,
    run_dbt,
)

MARTS = {
    "fct_releases": "release_id",
    "fct_events": "event_id",
    "fct_appearances": "appearance_id",
    "dim_people": "person_id",
    "dim_locations": "location_id",
}
NO_UNIT_TESTS = ("--exclude", "resource_type:unit_test")


def _profile_threads() -> int:
    profiles = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    return profiles["pressroom"]["outputs"]["default"]["threads"]


def _one_thread_profiles(tmp_path: Path) -> Path:
    """The project's profiles.yml with every target on one thread."""
    profiles = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    for output in profiles["pressroom"]["outputs"].values():
        output["threads"] = 1
    folder = tmp_path / "one_thread"
    folder.mkdir()
    (folder / "profiles.yml").write_text(yaml.safe_dump(profiles), encoding="utf-8")
    return folder


def _windowed_builds(tmp_path: Path, repetitions: int) -> None:
    assert _profile_threads() > 1  # otherwise this tests nothing
    releases = BATCH_1 + BATCH_2
    days = sorted({release.partition_date for release in releases})
    built = tmp_path / "threads.duckdb"
    load_releases(built, releases)
    single = tmp_path / "single.duckdb"
    shutil.copy(built, single)
    run_dbt(built, tmp_path / "dbt", "build", *NO_UNIT_TESTS)
    for repetition in range(repetitions):
        day = days[repetition % len(days)]
        window = Window(day, date.fromordinal(day.toordinal() + 1))
        result = run_dbt(built, tmp_path / "dbt", "build", *NO_UNIT_TESTS, window=window)
        assert result.success, (repetition, day)
    log = (tmp_path / "dbt" / "logs" / "dbt.log").read_text(encoding="utf-8")
    assert "TransactionContext" not in log
    assert "write-write conflict" not in log.lower()

    run_dbt(
        single,
        tmp_path / "single",
        "build",
        *NO_UNIT_TESTS,
        profiles_dir=_one_thread_profiles(tmp_path),
    )
    for mart, key in MARTS.items():
        assert mart_rows(built, mart, key) == mart_rows(single, mart, key), mart


@pytest.mark.timeout(600)
def test_builds_on_the_profiles_threads_do_not_conflict(tmp_path: Path) -> None:
    _windowed_builds(tmp_path, repetitions=3)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_twenty_repetitions_of_builds_on_the_profiles_threads(tmp_path: Path) -> None:
    _windowed_builds(tmp_path, repetitions=20)
