"""Parquet exports of the published marts, for BI tools that prefer files."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.warehouse.connection import sql_string
from orchestration.warehouse.published import Published
from orchestration.warehouse.target import DuckLake


def export_parquet(published: Published, exports_dir: Path) -> list[Path]:
    """One Parquet file per mart table, read from the published (read-only) copy, or from a
    DuckLake's published snapshot."""
    if isinstance(published, DuckLake):
        from orchestration.warehouse.published import connect_lake_snapshot

        conn, _snapshot = connect_lake_snapshot(published)
    else:
        if not published.exists():
            raise FileNotFoundError(f"{published} does not exist yet: run `pressroom run` first")
        conn = duckdb.connect(str(published), read_only=True)
    exports_dir.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        tables = [row[0] for row in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "and table_catalog = current_database() order by table_name").fetchall()]
        for table in tables:
            target = exports_dir / f"{table}.parquet"
            conn.execute(f'copy marts."{table}" to {sql_string(target)} (format parquet)')
            written.append(target)
    finally:
        conn.close()
    return written
