"""Yearly partitions by UTC publication day, and the conversions between them and `Window`.

Why years: a ranged run costs Dagster one event per asset and per check for every partition
in the range (measured in docs/performance.md: ~140 ms per daily partition of the raw layer,
so twenty years of daily partitions cost ~17 minutes before a release is read). A year is the
unit of backfills and of the UI's partition view; a run that touched only a few days (a
daily fetch) narrows its work to those days with the ``pressroom/window`` run tag, so one new
day costs one day of work, not one year.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import dagster as dg

from orchestration.settings import load_settings
from orchestration.window import Window

DUCKDB_POOL = "duckdb"
# Run tags Dagster writes for partitioned runs (documented in its backfill docs).
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
WINDOW_TAG = "pressroom/window"  # narrows a run to the days it touched, inside its partitions


def yearly_partitions(first_year: int) -> dg.TimeWindowPartitionsDefinition:
    """One partition per calendar year from ``first_year`` to the current one."""
    return dg.TimeWindowPartitionsDefinition(
        start=str(first_year), fmt="%Y", cron_schedule="0 0 1 1 *", end_offset=1
    )


release_partitions = yearly_partitions(load_settings().first_year)


def partitions_window(
    first_key: str,
    last_key: str,
    partitions: dg.TimeWindowPartitionsDefinition = release_partitions,
) -> Window:
    """The days covered by the partitions ``first_key`` .. ``last_key`` (both inclusive)."""
    first = partitions.time_window_for_partition_key(first_key)
    last = partitions.time_window_for_partition_key(last_key)
    return Window(first.start.date(), last.end.date())


def window_from_tags(
    tags: Mapping[str, str], partitions: dg.TimeWindowPartitionsDefinition = release_partitions
) -> Window | None:
    """The window a run covers: its partition (range), narrowed by ``pressroom/window``."""
    first = tags.get(RANGE_START_TAG) or tags.get(PARTITION_TAG)
    last = tags.get(RANGE_END_TAG) or tags.get(PARTITION_TAG)
    if not first or not last:
        return None
    window = partitions_window(first, last, partitions)
    narrowed = tags.get(WINDOW_TAG)
    if narrowed:
        start, _, end = narrowed.partition("/")
        inner = Window(date.fromisoformat(start), date.fromisoformat(end))
        window = Window(max(window.start, inner.start), min(window.end, inner.end))
    return window


def window_of(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> Window:
    """The days this run covers (its partitions, narrowed by the ``pressroom/window`` tag)."""
    window = window_from_tags(context.run.tags)
    if window is None:  # a partition passed without tags (tests, materialize())
        time_window = context.partition_time_window
        return Window(time_window.start.date(), time_window.end.date())
    return window


def run_tags(
    window: Window, partitions: dg.TimeWindowPartitionsDefinition = release_partitions
) -> dict[str, str]:
    """Tags of one ranged run over the partitions that hold ``window``, narrowed to it."""
    keys = partitions.get_partition_keys()
    first = _clamp(partitions.get_partition_key_for_timestamp(_timestamp(window.start)), keys)
    last = _clamp(partitions.get_partition_key_for_timestamp(_timestamp(window.last)), keys)
    return {
        RANGE_START_TAG: first,
        RANGE_END_TAG: last,
        WINDOW_TAG: f"{window.start.isoformat()}/{window.end.isoformat()}",
    }


def outside_partitions(
    window: Window, partitions: dg.TimeWindowPartitionsDefinition = release_partitions
) -> str | None:
    """Why part of ``window`` lies outside the partitions (None when it all fits)."""
    keys = partitions.get_partition_keys()
    covered = partitions_window(keys[0], keys[-1], partitions)
    if window.start < covered.start or window.end > covered.end:
        return (
            f"days {window} reach outside the partitions {covered}; days before "
            f"{covered.start} are not built (set PRESSROOM_FIRST_YEAR earlier)"
        )
    return None


def _clamp(key: str, keys: list[str]) -> str:
    return min(max(key, keys[0]), keys[-1])


def _timestamp(day: date) -> float:
    from datetime import UTC, datetime

    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
