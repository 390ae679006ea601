"""Daily partitions by UTC publication date, and the window arithmetic around them."""


from datetime import date, timedelta

import dagster as dg

PARTITIONS_START = "2010-01-01"
daily_partitions = dg.DailyPartitionsDefinition(start_date=PARTITIONS_START, end_offset=1)
DUCKDB_POOL = "duckdb"


def window_of(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext
              ) -> tuple[date, date]:
    """[start, end) dates of the partitions this run covers (one day or a backfill range)."""
    window = context.partition_time_window
    return window.start.date(), window.end.date()


def window_env(start: date, end: date) -> dict[str, str]:
    """The partition window as dbt reads it (`env_var`, so partial parsing keeps working)."""
    return {"PRESSROOM_MIN_DATE": start.isoformat(), "PRESSROOM_MAX_DATE": end.isoformat()}


def day_keys(start: date, end: date) -> list[str]:
    """Partition keys for [start, end)."""
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days)]
