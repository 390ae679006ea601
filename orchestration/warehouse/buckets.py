"""Release buckets: statements that join release texts run over one bucket of a window's
releases at a time (a hash of the release id), so DuckDB holds a bucket's texts, not an
archive's. 1,000,000 releases in one window ran out of the 600 MB pool without them."""

from __future__ import annotations

from datetime import date

import duckdb

RELEASES_PER_BUCKET = 100_000
"""About as many releases (or observations) as a bucket holds: 100,000 in one statement fit
the pool (measured at 100,000 releases over 20 years)."""


def bucket_count(rows: int) -> int:
    """Buckets of at most about `RELEASES_PER_BUCKET` rows (at least one)."""
    return max(1, -(-rows // RELEASES_PER_BUCKET))


def in_bucket(column: str, buckets: str, bucket: str) -> str:
    """SQL: ``column``'s release falls in bucket ``bucket`` of ``buckets`` (parameters)."""
    return f"hash({column}) % {buckets} = {bucket}"


def window_buckets(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> int:
    """Buckets for the releases of [start, end) in raw.releases."""
    releases = conn.execute(
        "select count(*) from raw.releases where partition_date >= ? and partition_date < ?",
        [start, end],
    ).fetchone()[0]
    return bucket_count(releases)
