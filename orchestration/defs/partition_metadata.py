"""Per-partition metadata for ranged runs: each year's own counts, not the run's totals.

A single run over several yearly partitions records one materialization per partition; without
this, each would carry the same (the whole run's) metadata. ``describe_partitions`` attaches to
every partition the rows its year holds once the run is done.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dagster as dg
import duckdb

from orchestration.defs.partitions import partitions_window


def rows_by_partition(
    conn: duckdb.DuckDBPyConnection, table: str, keys: Sequence[str], count: str = "count(*)"
) -> dict[str, int]:
    """``count`` over ``table``'s rows per yearly partition key (0 for an empty year)."""
    if not keys:
        return {}
    window = partitions_window(min(keys), max(keys))
    found = dict(
        conn.execute(
            f"select cast(year(partition_date) as varchar), {count} from {table} "
            "where partition_date >= ? and partition_date < ? group by 1",
            [window.start, window.end],
        ).fetchall()
    )
    return {key: int(found.get(key, 0)) for key in keys}


def describe_partitions(
    context: dg.AssetExecutionContext,
    counts: Mapping[str, Mapping[str, int]],
    asset_key: dg.AssetKey | None = None,
) -> None:
    """Attach ``{name: {partition_key: value}}`` to each partition's own materialization."""
    for key in context.partition_keys:
        context.add_asset_metadata(
            {"year": key, **{name: values.get(key, 0) for name, values in counts.items()}},
            asset_key=asset_key,
            partition_key=key,
        )
