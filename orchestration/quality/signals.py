"""Freshness and volume signals over raw.releases: rules that warn, never block.

Plain functions on a DuckDB connection so they can be tested with a fixed clock: "now" is the
last day of the partition window, never the wall clock.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

VOLUME_RATIO = 0.25
VOLUME_HISTORY_DAYS = 28
# Below this trailing median a dip is noise (a quiet source publishes 0-3 items a day).
VOLUME_MIN_MEDIAN = 4.0


@dataclass(frozen=True)
class Finding:
    """One warning: what is wrong, in a sentence an operator can act on."""

    subject: str
    message: str


def stale_sources(conn: duckdb.DuckDBPyConnection, expected_period_days: Mapping[str, int],
                  start: date, end: date) -> list[Finding]:
    """Sources whose newest release is older than their expected period at the window's end.

    ``as_of`` is the latest partition of the window (end - 1 day); releases after it are
    ignored so that a backfill of an old range judges the past, not today.
    """
    as_of = end - timedelta(days=1)
    latest = dict(conn.execute(
        "select source, max(partition_date) from raw.releases where partition_date <= ? "
        "group by source", [as_of]).fetchall())
    findings = []
    for source, period in sorted(expected_period_days.items()):
        newest = latest.get(source)
        if newest is None:
            findings.append(Finding(source, f"{source}: no release on or before {as_of} "
                                            f"(expected one every {period} days)"))
        elif (as_of - newest).days > period:
            findings.append(Finding(source, f"{source}: newest release {newest}, "
                                            f"{(as_of - newest).days} days before {as_of}; "
                                            f"expected one every {period} days"))
    return findings


def volume_dips(conn: duckdb.DuckDBPyConnection, start: date, end: date,
                ratio: float = VOLUME_RATIO, history_days: int = VOLUME_HISTORY_DAYS,
                min_median: float = VOLUME_MIN_MEDIAN) -> list[Finding]:
    """Days in [start, end) with fewer releases than ``ratio`` x the trailing median.

    The median is over the ``history_days`` days before each day, zero-release days included.
    """
    first = start - timedelta(days=history_days)
    counts = dict(conn.execute(
        "select partition_date, count(distinct release_id) from raw.releases "
        "where partition_date >= ? and partition_date < ? group by partition_date",
        [first, end]).fetchall())
    findings = []
    day = start
    while day < end:
        history = [counts.get(day - timedelta(days=n), 0) for n in range(1, history_days + 1)]
        median = statistics.median(history)
        count = counts.get(day, 0)
        if median >= min_median and count < ratio * median:
            findings.append(Finding(day.isoformat(),
                                    f"{day}: {count} releases, trailing {history_days}-day "
                                    f"median {median:g} (< {ratio:.0%})"))
        day += timedelta(days=1)
    return findings
