"""Parquet exports of the published marts, for BI tools that prefer files."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.warehouse.connection import sql_string


def export_parquet(published: Path, exports_dir: Path) -> list[Path]:
    """One Parquet file per mart table, read from the published (read-only) copy."""
    if not published.exists():
        raise FileNotFoundError(f"{published} does not exist yet: run `pressroom run` first")
    exports_dir.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(str(published), read_only=True)
    written = []
    try:
        tables = [row[0] for row in conn.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by table_name").fetchall()]
        for table in tables:
            target = exports_dir / f"{table}.parquet"
            conn.execute(f'copy marts."{table}" to {sql_string(target)} (format parquet)')
            written.append(target)
    finally:
        conn.close()
    return written
