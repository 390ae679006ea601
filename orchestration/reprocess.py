"""`pressroom reprocess`: re-extract the partitions an older extractor version made."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import duckdb

from orchestration.settings import Settings
from orchestration.warehouse.connection import connect_target
from orchestration.warehouse.versions import partition_versions, reprocess_windows

RunWindow = Callable[[Settings, tuple[date, date]], int]


def reprocess(
    settings: Settings,
    run_window: RunWindow,
    *,
    start: date | None = None,
    end: date | None = None,
    dry_run: bool = False,
) -> int:
    """List the stale partitions in [start, end] and rebuild them from the kept payloads,
    one pipeline run per window; returns the first non-zero exit code, else 0."""
    from orchestration.extract import EXTRACTOR_VERSION

    if not settings.warehouse.is_lake and not settings.warehouse_path.exists():
        print(f"error: no warehouse at {settings.warehouse_path}; run `pressroom run` first")
        return 2
    if settings.warehouse.is_lake:
        conn = connect_target(settings.warehouse, read_only=True)
    else:
        conn = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        partitions = partition_versions(conn, start, end)
    finally:
        conn.close()
    stale = [partition for partition in partitions if partition.is_stale(EXTRACTOR_VERSION)]
    print(f"extractor {EXTRACTOR_VERSION}: {len(stale)} of {len(partitions)} partitions stale")
    for partition in stale:
        made_by = ", ".join(partition.versions) or "never extracted"
        print(f"  {partition.partition_date}  {partition.release_count:>5} releases  {made_by}")
    if dry_run or not stale:
        return 0
    for window_start, window_end in reprocess_windows([p.partition_date for p in stale]):
        print(f"reprocessing {window_start} .. {window_end} (exclusive) from kept payloads")
        code = run_window(settings, (window_start, window_end))
        if code != 0:
            return code
    return 0
