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
    """The window [start, end) as dbt reads it: inclusive first and last day, through
    `env_var` so that partial parsing keeps working."""
    last = end - timedelta(days=1)
    return {"PRESSROOM_MIN_DATE": start.isoformat(), "PRESSROOM_MAX_DATE": last.isoformat()}
