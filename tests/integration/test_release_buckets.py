"""Statements that join release texts run a bucket of releases at a time (bounded memory on
an archive in one window): the rebuild's versions, the quarantine's span screens and the span
rule (a blocking check and the publish audit) give with any number of buckets what they give
with one.

Real DuckDB files and the bundled sample replayed (two fetches and the text dump: releases
with several versions, truncated observations, a dump)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

import orchestration.warehouse.buckets as buckets_module
import orchestration.warehouse.releases as releases_module
from orchestration.quality.rules import RULES
from orchestration.sources.config import SourcesFile, load_sources
from orchestration.warehouse.connection import open_warehouse
from orchestration.warehouse.quarantine import _offenders, mention_screens
from orchestration.warehouse.schema import ensure_raw_schema
from tests.integration.raw_replay import WIDE, rebuild_all, store_replays

pytestmark = pytest.mark.timeout(120)

SAMPLE_CONFIG = (
    Path(__file__).resolve().parents[2] / "orchestration" / "sources" / "sample" / "sources.yaml"
)
RELEASES = "select * from raw.releases order by release_id, version"


@contextmanager
def _replayed(tmp_path: Path, sample: SourcesFile) -> Iterator[duckdb.DuckDBPyConnection]:
    """A warehouse holding the sample's recorded fetches and dump (not yet rebuilt)."""
    with open_warehouse(tmp_path / "warehouse.duckdb") as conn:
        ensure_raw_schema(conn)
        store_replays(conn, SAMPLE_CONFIG, sample)
        yield conn


def test_versions_in_buckets_equal_versions_in_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = load_sources(SAMPLE_CONFIG)
    with _replayed(tmp_path, sample) as conn:
        whole = rebuild_all(conn, sample)
        rows = conn.execute(RELEASES).fetchall()
        assert whole.versions_written > whole.releases > 60  # some releases have versions

        monkeypatch.setattr(buckets_module, "RELEASES_PER_BUCKET", 7)
        counts: list[int] = []
        count = releases_module.bucket_count
        monkeypatch.setattr(
            releases_module, "bucket_count", lambda rows: counts.append(count(rows)) or counts[-1]
        )
        bucketed = rebuild_all(conn, sample)
        assert conn.execute(RELEASES).fetchall() == rows
    same = ("observations", "releases", "versions_written")
    assert [getattr(bucketed, name) for name in same] == [getattr(whole, name) for name in same]
    assert counts and counts[0] >= whole.versions_written // 7 > 1


def test_span_screens_and_rule_in_buckets_find_every_offender(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = load_sources(SAMPLE_CONFIG)
    with _replayed(tmp_path, sample) as conn:
        rebuild_all(conn, sample)
        conn.execute("""
            insert into raw.person_mentions (mention_id, release_id, start, "end", surface_text,
                full_name, partition_date, extractor_version)
            select 'm-' || release_id, release_id, 0, 1000000, 'Nobody', 'Nobody',
                   any_value(partition_date), 'test'
            from raw.releases group by release_id
        """)
        releases = {
            row[0] for row in conn.execute("select release_id from raw.releases").fetchall()
        }
        (rule,) = [rule for rule in RULES if rule.per_bucket]
        in_one = _offenders(conn, mention_screens(), *WIDE)
        rule_in_one = sorted(rule.offending_rows(conn, *WIDE))
        monkeypatch.setattr(buckets_module, "RELEASES_PER_BUCKET", 10)
        in_buckets = _offenders(conn, mention_screens(), *WIDE)
        rule_in_buckets = sorted(rule.offending_rows(conn, *WIDE))
    assert len(releases) > 60
    assert set(in_one) == set(in_buckets) == releases
    assert in_one == in_buckets
    # the blocking check and the publish audit's rule, the same way
    assert rule_in_one == rule_in_buckets
    assert {row[0] for row in rule_in_buckets} == releases


def test_an_archive_is_cut_in_buckets_of_a_hundred_thousand() -> None:
    assert buckets_module.bucket_count(0) == buckets_module.bucket_count(1) == 1
    assert buckets_module.bucket_count(100_000) == 1
    assert buckets_module.bucket_count(1_000_000) == 10
