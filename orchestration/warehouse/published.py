"""What readers open: the published copy of a DuckDB file, or a DuckLake attached read-only at
its published snapshot (later commits stay invisible until the next audit publishes)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.warehouse.target import DuckLake, WarehouseTarget

Published = Path | DuckLake
"""The published copy's file, or the lake whose published snapshot readers pin."""

_NO_DOWNLOADS = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def published_of(target: WarehouseTarget, published_path: Path) -> Published:
    """Where readers of ``target`` read."""
    return target if isinstance(target, DuckLake) else published_path


def describe(published: Published) -> str:
    return str(published) if isinstance(published, Path) else published.describe()


def connect_lake_snapshot(
    lake: DuckLake, *, confined: bool = False
) -> tuple[duckdb.DuckDBPyConnection, int]:
    """(a read-only connection to the lake at its published snapshot, that snapshot's id).

    ``confined``: afterwards no file outside the lake's data path can be read or written and
    the configuration is locked (what `pressroom query` runs user SQL on). Raises
    `NotPublishedError` when no audit has published yet.
    """
    from orchestration.warehouse.lake import attach_lake, published_snapshot

    conn = duckdb.connect(config=dict(_NO_DOWNLOADS))
    try:
        attach_lake(conn, lake, read_only=True)
        snapshot = published_snapshot(conn)
        conn.execute("use memory")
        conn.execute("detach lake")
        attach_lake(conn, lake, read_only=True, snapshot=snapshot)
        if confined:
            conn.execute("set allowed_directories = ?", [[str(lake.data_path) + "/"]])
            conn.execute("set enable_external_access = false")
    except BaseException:
        conn.close()
        raise
    return conn, snapshot


def lake_publication(lake: DuckLake) -> tuple[int, datetime]:
    """(the published snapshot's id, when it was published, UTC)."""
    from orchestration.warehouse.lake import POINTER_TABLE, attach_lake, published_snapshot

    conn = duckdb.connect(config=dict(_NO_DOWNLOADS))
    try:
        attach_lake(conn, lake, read_only=True)
        snapshot = published_snapshot(conn)
        at = conn.execute(
            f"select max(published_at) from {POINTER_TABLE} where snapshot_id = ?", [snapshot]
        ).fetchone()[0]
    finally:
        conn.close()
    return snapshot, at.replace(tzinfo=UTC)
