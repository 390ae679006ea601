"""The rebuild derives and writes versions a bucket of releases at a time (bounded memory on
an archive in one window): any number of buckets gives the rows one bucket gives.

Real DuckDB files and the bundled sample replayed (two fetches and the text dump: releases
with several versions, truncated observations, a dump)."""

from __future__ import annotations

from pathlib import Path

import pytest

import orchestration.warehouse.releases as releases_module
from orchestration.sources.config import load_sources
from orchestration.warehouse.connection import open_warehouse
from orchestration.warehouse.schema import ensure_raw_schema
from tests.integration.raw_replay import rebuild_all, store_replays

pytestmark = pytest.mark.timeout(120)

SAMPLE_CONFIG = (
    Path(__file__).resolve().parents[2] / "orchestration" / "sources" / "sample" / "sources.yaml"
)
RELEASES = "select * from raw.releases order by release_id, version"


def test_versions_in_buckets_equal_versions_in_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = load_sources(SAMPLE_CONFIG)
    with open_warehouse(tmp_path / "warehouse.duckdb") as conn:
        ensure_raw_schema(conn)
        store_replays(conn, SAMPLE_CONFIG, sample)
        whole = rebuild_all(conn, sample)
        rows = conn.execute(RELEASES).fetchall()
        assert whole.versions_written > whole.releases > 60  # some releases have versions

        monkeypatch.setattr(releases_module, "VERSION_BUCKET_REFS", 7)
        buckets: list[int] = []
        count = releases_module.version_buckets
        monkeypatch.setattr(
            releases_module,
            "version_buckets",
            lambda refs: buckets.append(count(refs)) or buckets[-1],
        )
        bucketed = rebuild_all(conn, sample)
        assert conn.execute(RELEASES).fetchall() == rows
    same = ("observations", "releases", "versions_written")
    assert [getattr(bucketed, name) for name in same] == [getattr(whole, name) for name in same]
    assert buckets and buckets[0] >= whole.versions_written // 7 > 1


def test_an_archive_is_cut_in_buckets_of_a_hundred_thousand() -> None:
    assert releases_module.version_buckets(0) == releases_module.version_buckets(1) == 1
    assert releases_module.version_buckets(100_000) == 1
    assert releases_module.version_buckets(1_000_000) == 10
