"""fct_releases is built one bucket of its work set at a time (macros/release_buckets.sql):
over every release of a large archive its join to the release texts ran out of DuckDB's
pool. With one bucket per release, the rows equal those of one bucket, on a first build and
on a windowed rebuild. Real dbt builds on a real DuckDB file of the fixture releases."""

from __future__ import annotations

from pathlib import Path

from tests.integration.dbt_fixtures import (
    ALL_RELEASES,
    BATCH_2_WINDOW,
    load_releases,
    mart_rows,
    run_dbt,
)

ONE_RELEASE_A_BUCKET = ("--vars", '{"release_bucket_releases": 1}')
COMPILED = Path("target/compiled/pressroom/models/marts/fct_releases.sql")


def _build(work: Path, *extra: str) -> tuple[list[tuple], list[tuple], str]:
    work.mkdir()
    db_path = work / "warehouse.duckdb"
    load_releases(db_path, ALL_RELEASES)
    run_dbt(db_path, work, "run", "--select", "+fct_releases", *extra)
    first = mart_rows(db_path, "fct_releases", "release_id")
    compiled = (work / COMPILED).read_text(encoding="utf-8")
    run_dbt(db_path, work, "run", "--select", "+fct_releases", *extra, window=BATCH_2_WINDOW)
    return first, mart_rows(db_path, "fct_releases", "release_id"), compiled


def test_fct_releases_in_buckets_equals_one_bucket(tmp_path: Path) -> None:
    first, rebuilt, compiled = _build(tmp_path / "one")
    first_bucketed, rebuilt_bucketed, compiled_bucketed = _build(
        tmp_path / "bucketed", *ONE_RELEASE_A_BUCKET
    )
    assert "hash(release_id)" not in compiled
    assert f"hash(release_id) % {len(first)} = 0" in compiled_bucketed
    assert len(first) > 2
    assert first_bucketed == first
    assert rebuilt_bucketed == rebuilt == first
