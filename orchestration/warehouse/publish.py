"""Write-audit-publish: readers get a read-only copy swapped in atomically after every gate."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from orchestration.warehouse.connection import sql_string


def publish(warehouse: Path, published: Path) -> Path:
    """Copy the warehouse to ``published`` through a temp file and an atomic rename.

    Readers holding the old copy keep their snapshot; new readers see the new one. The copy is
    written in DuckDB 1.5 storage format so 1.x tools can read it.
    """
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = published.with_name(published.name + ".next")
    for leftover in (staging, staging.with_name(staging.name + ".wal")):
        leftover.unlink(missing_ok=True)
    driver = duckdb.connect()
    try:
        driver.execute(f"attach {sql_string(warehouse)} as source_db (read_only)")
        driver.execute(f"attach {sql_string(staging)} as published_db "
                       "(storage_version 'v1.5.0')")
        driver.execute("copy from database source_db to published_db")
        driver.execute("detach published_db")
        driver.execute("detach source_db")
    finally:
        driver.close()
    os.replace(staging, published)
    return published
