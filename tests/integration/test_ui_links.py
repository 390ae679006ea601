"""The UI link `pressroom ui` prints: raw_job's partitions page with the years holding data in
its query string, which Dagster's backfill dialog reads as its selection (#12: the dialog
opened on "0 partitions" or on empty years)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.cli.ui_links import backfill_page, data_years, year_range


def _warehouse(path: Path, days: list[str]) -> Path:
    conn = duckdb.connect(str(path))
    conn.execute("create schema raw")
    conn.execute("create table raw.fetched_items (release_id varchar, partition_date date)")
    for number, day in enumerate(days):
        conn.execute("insert into raw.fetched_items values (?, ?)", [str(number), day])
    conn.close()
    return path


def test_the_years_that_hold_fetched_releases(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "w.duckdb", ["2021-03-01", "2023-11-22", "2022-01-01"])
    assert data_years(warehouse, 1990) == (2021, 2023)
    assert data_years(warehouse, 2022) == (2022, 2023)  # nothing before the first partition


def test_no_years_without_data(tmp_path: Path) -> None:
    assert data_years(tmp_path / "missing.duckdb", 1990) is None
    assert data_years(_warehouse(tmp_path / "empty.duckdb", []), 1990) is None
    duckdb.connect(str(tmp_path / "bare.duckdb")).close()  # no raw schema yet
    assert data_years(tmp_path / "bare.duckdb", 1990) is None


def test_the_link_carries_dagsters_selection_text() -> None:
    assert year_range((2023, 2023)) == "2023"
    assert year_range((2021, 2023)) == "[2021...2023]"
    page = "http://127.0.0.1:3000/locations/pressroom/jobs/raw_job/partitions"
    assert backfill_page("http://127.0.0.1:3000/", None) == page
    assert backfill_page("http://127.0.0.1:3000", (2021, 2023)) == (
        f"{page}?default_range=%5B2021...2023%5D"
    )


def test_the_link_names_the_workspaces_location_and_a_partitioned_job() -> None:
    import yaml

    from orchestration.cli.ui_links import BACKFILL_JOB, LOCATION
    from orchestration.settings import PROJECT_DIR

    workspace = yaml.safe_load((PROJECT_DIR / "workspace.yaml").read_text(encoding="utf-8"))
    assert [entry["python_module"]["location_name"] for entry in workspace["load_from"]] == [
        LOCATION
    ]
    from orchestration.definitions import defs

    assert defs.resolve_job_def(BACKFILL_JOB).partitions_def is not None
