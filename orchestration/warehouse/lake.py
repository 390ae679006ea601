"""DuckLake: its extensions, attaching it, and the snapshot readers pin.

Extensions. DuckDB installs ``ducklake`` and ``postgres_scanner`` from its own repository on
first use when the machine is online (``INSTALL ducklake``). Offline machines get the same
signed binaries from the PyPI wheels pinned in uv.lock (``duckdb-extension-ducklake``,
``duckdb-extension-postgres-scanner``, ``duckdb-extensions``): they are installed from the
wheel's file into DuckDB's extension directory and loaded with signature verification on
(``allow_unsigned_extensions`` stays false: a tampered binary is refused).

Publishing. The audit checks one snapshot; publishing records that snapshot's id in
``publish.published_snapshots`` (a lake table). Readers attach the lake read-only at the
newest recorded id, so a run committing meanwhile changes nothing they see.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb

from orchestration.warehouse.target import LAKE_ALIAS, DuckLake

EXTENSIONS = ("ducklake", "postgres_scanner")
POINTER_TABLE = "publish.published_snapshots"
MARTS_LOCK_KEY = 0x7072_6573_736D_6172  # PostgreSQL advisory lock key: one dbt build at a time


class NotPublishedError(RuntimeError):
    """The lake has no published snapshot yet."""


def _offline_wheel(name: str) -> bool:
    return importlib.util.find_spec(f"duckdb_extension_{name}") is not None


def load_extensions(conn: duckdb.DuckDBPyConnection) -> None:
    """Load DuckLake's extensions: from the pinned PyPI wheels when installed (offline), else
    from DuckDB's extension directory or repository (online). Signatures are always checked."""
    installed = dict(
        conn.execute("select extension_name, installed from duckdb_extensions()").fetchall()
    )
    for name in EXTENSIONS:
        if not installed.get(name):
            if _offline_wheel(name):
                from duckdb_extensions import import_extension

                import_extension(name, con=conn)  # INSTALL from the wheel's signed file
            else:
                conn.execute(f"install {name}")  # DuckDB's repository (needs the network)
        conn.execute(f"load {name}")


def attach_lake(
    conn: duckdb.DuckDBPyConnection,
    lake: DuckLake,
    *,
    read_only: bool = False,
    snapshot: int | None = None,
) -> None:
    """Attach the lake as ``lake`` (optionally read-only, optionally at one snapshot) and make it
    the default catalog, so ``raw.releases`` means ``lake.raw.releases``."""
    from orchestration.warehouse.connection import sql_string

    load_extensions(conn)
    options = [f"data_path {sql_string(str(lake.data_path) + '/')}"]
    if read_only:
        options.append("read_only")
    if snapshot is not None:
        options.append(f"snapshot_version {int(snapshot)}")
    if not read_only:
        lake.data_path.mkdir(parents=True, exist_ok=True)
    conn.execute(f"attach {sql_string(lake.attach_path)} as {LAKE_ALIAS} ({', '.join(options)})")
    conn.execute(f"use {LAKE_ALIAS}")


def current_snapshot(conn: duckdb.DuckDBPyConnection) -> int:
    """The newest committed snapshot of the attached lake."""
    return int(
        conn.execute(f"select max(snapshot_id) from ducklake_snapshots('{LAKE_ALIAS}')").fetchone()[
            0
        ]
    )


def record_published(conn: duckdb.DuckDBPyConnection, snapshot: int, run_id: str) -> None:
    """Make ``snapshot`` the one readers see (one committed row; the newest wins)."""
    conn.execute("create schema if not exists publish")
    conn.execute(
        f"create table if not exists {POINTER_TABLE} "
        "(snapshot_id bigint not null, published_at timestamp not null, "
        "run_id varchar not null)"
    )
    conn.execute(f"insert into {POINTER_TABLE} values (?, now()::timestamp, ?)", [snapshot, run_id])


def published_snapshot(conn: duckdb.DuckDBPyConnection) -> int:
    """The snapshot the last passed audit published; `NotPublishedError` when none has."""
    exists = conn.execute(
        "select count(*) from information_schema.tables where table_catalog = ? "
        "and table_schema = 'publish' and table_name = 'published_snapshots'",
        [LAKE_ALIAS],
    ).fetchone()[0]
    row = (
        conn.execute(f"select max(snapshot_id) from {POINTER_TABLE}").fetchone() if exists else None
    )
    if not row or row[0] is None:
        raise NotPublishedError("the DuckLake has no published snapshot yet")
    return int(row[0])


@contextmanager
def marts_build_lock(lake: DuckLake, log: Callable[[str], None]) -> Iterator[None]:
    """One dbt build of the lake at a time, across processes and machines: a session advisory
    lock in the catalog's PostgreSQL database. dbt replaces whole mart tables, so two builds at
    once would only conflict; raw partitions are still written in parallel. The lock goes with
    the session, also when the process holding it is killed."""
    import psycopg2

    conn = psycopg2.connect(lake.catalog)
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("select pg_try_advisory_lock(%s)", [MARTS_LOCK_KEY])
            if not cursor.fetchone()[0]:
                log(
                    "dbt build: another writer is building this lake's marts; waiting for it "
                    "(PostgreSQL advisory lock)"
                )
                started = time.monotonic()
                cursor.execute("select pg_advisory_lock(%s)", [MARTS_LOCK_KEY])
                log(
                    f"dbt build: the other writer finished after {time.monotonic() - started:.0f} "
                    "s; building"
                )
        yield
    finally:
        conn.close()  # ends the session, which releases the lock
