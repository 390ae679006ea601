"""Which partitions an older extractor made: stale partitions and the windows to reprocess.

Every row of the raw mention tables carries the ``extractor_version`` that wrote it. A
partition is *stale* when it holds releases and its mention rows were written by another
version than the current one, or by none (never extracted). `pressroom reprocess` re-runs
extraction over the windows ``reprocess_windows`` returns, from the kept payloads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from orchestration.warehouse.schema import MENTION_TABLES


@dataclass(frozen=True)
class PartitionVersions:
    """The extractor versions that wrote one daily partition's mention rows."""

    partition_date: date
    release_count: int
    versions: tuple[str, ...]  # sorted; empty when never extracted

    def is_stale(self, current_version: str) -> bool:
        return self.versions != (current_version,)


def partition_versions(
    conn: duckdb.DuckDBPyConnection, start: date | None = None, end: date | None = None
) -> list[PartitionVersions]:
    """Every partition with releases in [start, end] (inclusive; None = unbounded)."""
    versions_sql = " union all ".join(
        f"select partition_date, extractor_version from raw.{table}" for table in MENTION_TABLES
    )
    rows = conn.execute(
        f"""
        with releases as (
            select partition_date, count(distinct release_id) as release_count
            from raw.releases
            where (cast(? as date) is null or partition_date >= ?)
                and (cast(? as date) is null or partition_date <= ?)
            group by partition_date
        ),
        versions as (
            select partition_date, list_sort(list_distinct(list(extractor_version))) as versions
            from ({versions_sql})
            group by partition_date
        )
        select releases.partition_date, releases.release_count,
               coalesce(versions.versions, []) as versions
        from releases
        left join versions on releases.partition_date = versions.partition_date
        order by releases.partition_date
    """,
        [start, start, end, end],
    ).fetchall()
    return [PartitionVersions(day, count, tuple(found)) for day, count, found in rows]


def stale_partitions(
    conn: duckdb.DuckDBPyConnection,
    current_version: str,
    start: date | None = None,
    end: date | None = None,
) -> list[date]:
    """Partitions whose mention rows another extractor version wrote (or none did)."""
    return [
        partition.partition_date
        for partition in partition_versions(conn, start, end)
        if partition.is_stale(current_version)
    ]


def reprocess_windows(days: list[date], max_gap_days: int = 7) -> list[tuple[date, date]]:
    """Cover the stale days with few windows [start, end) (end exclusive, like a Dagster
    partition range): days less than ``max_gap_days`` apart share a window, so a scattered
    handful does not start a run each, and a long gap does not re-extract fresh months."""
    windows: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if windows and (day - windows[-1][1]).days < max_gap_days:
            windows[-1] = (windows[-1][0], day + timedelta(days=1))
        else:
            windows.append((day, day + timedelta(days=1)))
    return windows
