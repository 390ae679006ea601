"""The days a fetch touched become compact windows (regression: one release of 1949 beside
this week's news made a 14-year partition range that Dagster took over half an hour to plan)."""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration.warehouse.schema import ensure_raw_schema
from orchestration.warehouse.windows import touched_windows


def test_distant_days_get_their_own_windows() -> None:
    conn = duckdb.connect()
    ensure_raw_schema(conn)
    days = [
        date(2010, 1, 1),
        date(2023, 11, 14),
        date(2023, 11, 15),
        date(2023, 11, 20),
        date(2024, 3, 1),
    ]
    for number, day in enumerate(days):
        conn.execute(
            "insert into raw.fetched_items (run_id, fetched_at, source, item_key, "
            "release_id, partition_date) values ('run', now(), 's', ?, ?, ?)",
            [str(number), f"s:{number}", day],
        )
    conn.execute(
        "insert into raw.fetched_items (run_id, fetched_at, source, item_key, "
        "release_id, partition_date) values ('other', now(), 's', 'x', 's:x', "
        "DATE '2015-06-01')"
    )
    assert touched_windows(conn, "run") == [
        (date(2010, 1, 1), date(2010, 1, 2)),
        (date(2023, 11, 14), date(2023, 11, 21)),
        (date(2024, 3, 1), date(2024, 3, 2)),
    ]
    assert touched_windows(conn, "missing") == []
