"""Stale partitions read from a real raw layer (DuckDB in tmp_path)."""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration.warehouse.schema import ensure_raw_schema
from orchestration.warehouse.versions import partition_versions, stale_partitions


def _release(conn: duckdb.DuckDBPyConnection, release_id: str, day: date) -> None:
    conn.execute(
        "insert into raw.releases (release_id, version, source, source_name, native_id, title, "
        "body_text, partition_date, is_truncated, content_hash, fetched_at) "
        "values (?, 1, 'nato', 'NATO', ?, 't', 'b', ?, false, 'h', now())",
        [release_id, release_id, day],
    )


def _annotation(conn: duckdb.DuckDBPyConnection, release_id: str, day: date, version: str) -> None:
    conn.execute(
        "insert into raw.release_annotations values (?, 1, 'news', ?, ?, ?)",
        [release_id, day, day, version],
    )


def test_partitions_by_an_older_or_no_extractor_are_stale(tmp_path) -> None:
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_schema(conn)
    current, old = date(2023, 10, 1), date(2023, 10, 2)
    mixed, never = date(2023, 10, 3), date(2023, 10, 4)
    for day, versions in [(current, ["2.0"]), (old, ["1.9"]), (mixed, ["1.9", "2.0"]), (never, [])]:
        for number, version in enumerate(versions or [None]):
            release_id = f"nato:{day}-{number}"
            _release(conn, release_id, day)
            if version:
                _annotation(conn, release_id, day, version)
    # a person mention written by the old extractor makes an otherwise current day stale too
    conn.execute(
        "insert into raw.person_mentions values "
        "('x#p1', 'nato:2023-10-01-0', 0, 1, 'X', 'X', null, null, null, ?, '1.9')",
        [current],
    )
    assert stale_partitions(conn, "2.0") == [current, old, mixed, never]
    conn.execute("delete from raw.person_mentions")
    assert stale_partitions(conn, "2.0") == [old, mixed, never]
    assert stale_partitions(conn, "2.0", start=mixed, end=mixed) == [mixed]
    by_day = {partition.partition_date: partition for partition in partition_versions(conn)}
    assert by_day[mixed].versions == ("1.9", "2.0")
    assert by_day[never].versions == ()
    assert by_day[current].release_count == 1
