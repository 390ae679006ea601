"""Which days a fetch run touched, as a few compact windows instead of one min..max span.

A single release dated in 1949 (filed under the first partition) beside this week's news
would otherwise make one window of 14 years: Dagster plans every daily partition of a range
(tens of thousands of events), which took longer than half an hour for three releases.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb

MAX_GAP_DAYS = 14


def touched_windows(
    conn: duckdb.DuckDBPyConnection, run_id: str, max_gap_days: int = MAX_GAP_DAYS
) -> list[tuple[date, date]]:
    """[start, end) windows covering the partition days of ``run_id``'s items; days closer
    than ``max_gap_days`` share a window."""
    days = [
        row[0]
        for row in conn.execute(
            "select distinct partition_date from raw.fetched_items where run_id = ? order by 1",
            [run_id],
        ).fetchall()
    ]
    windows: list[tuple[date, date]] = []
    for day in days:
        if windows and (day - windows[-1][1]).days < max_gap_days:
            windows[-1] = (windows[-1][0], day + timedelta(days=1))
        else:
            windows.append((day, day + timedelta(days=1)))
    return windows
