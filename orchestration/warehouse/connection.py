"""Opening the warehouse (a DuckDB file, or a DuckLake attached as the default catalog): no
runtime extension downloads, clear lock errors, DuckLake commit conflicts retried."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb
import polars as pl

from orchestration.warehouse.target import DuckDBFile, DuckLake, WarehouseTarget

T = TypeVar("T")

MEMORY_LIMIT = "600MB"
"""DuckDB's buffer pool in a pressroom process (DuckDB's default is 80 % of the machine's
memory, which a 100,000-release load filled to 3 GB). Beyond it, large writes, sorts, joins
and copies spill to a temp directory beside the warehouse. What cannot spill stays small:
queries stream texts instead of sorting them, and an uncommitted insert keeps at most about
one row group per table in memory. dbt's own process has the same limit
(dbt_project/profiles.yml)."""

_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": True,
           "memory_limit": MEMORY_LIMIT}


class WarehouseLockedError(RuntimeError):
    """Another process holds the warehouse file."""


def connect(path: Path | str, *, read_only: bool = False, wait_s: float = 30.0
            ) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, retrying while another process holds its lock."""
    target = Path(path)
    if not read_only:
        target.parent.mkdir(parents=True, exist_ok=True)
    deadline, delay = time.monotonic() + wait_s, 0.2
    while True:
        try:
            return duckdb.connect(str(target), read_only=read_only, config=dict(_CONFIG))
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or time.monotonic() >= deadline:
                if "lock" in str(error).lower():
                    raise WarehouseLockedError(
                        f"{target} is locked by another process ({error}). Readers should open "
                        "the published copy instead; stop the other writer or wait."
                    ) from error
                raise
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def same_catalog_cursor(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor (a second connection to the same database) whose default catalog is
    ``conn``'s: a DuckLake is attached and made the default per connection."""
    cursor = conn.cursor()
    current = conn.execute("select current_database()").fetchone()[0]
    if cursor.execute("select current_database()").fetchone()[0] != current:
        cursor.execute(f'use "{current}"')
    return cursor


def sql_string(value: object) -> str:
    """A SQL string literal for a value that cannot be a parameter (ATTACH, COPY … TO paths):
    quoted, with embedded quotes doubled, so a path like ``/home/o'brien`` works."""
    return "'" + str(value).replace("'", "''") + "'"


def connect_target(target: WarehouseTarget | Path | str, *, read_only: bool = False,
                   snapshot: int | None = None, wait_s: float = 30.0
                   ) -> duckdb.DuckDBPyConnection:
    """Open the writer's warehouse: the DuckDB file (waiting up to ``wait_s`` for another
    process's lock), or an in-memory DuckDB with the lake attached as its default catalog
    (optionally read-only at one ``snapshot``)."""
    if isinstance(target, DuckDBFile):
        return connect(target.path, read_only=read_only, wait_s=wait_s)
    if not isinstance(target, DuckLake):
        return connect(target, read_only=read_only, wait_s=wait_s)
    from orchestration.warehouse.lake import attach_lake

    conn = duckdb.connect(config=dict(_CONFIG))
    try:
        attach_lake(conn, target, read_only=read_only, snapshot=snapshot)
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def open_warehouse(target: WarehouseTarget | Path | str, *, read_only: bool = False,
                   snapshot: int | None = None, wait_s: float = 30.0
                   ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection that is always closed, even when the body raises."""
    conn = connect_target(target, read_only=read_only, snapshot=snapshot, wait_s=wait_s)
    try:
        yield conn
    finally:
        conn.close()


class WarehouseConflictError(RuntimeError):
    """Another writer's commit kept conflicting with ours after every retry."""


def is_commit_conflict(error: BaseException) -> bool:
    """A DuckLake commit that lost a race with another writer (safe to redo from the start)."""
    text = str(error).lower()
    return isinstance(error, duckdb.TransactionException) and (
        "conflict" in text or "failed to commit ducklake" in text
    )


def retry_conflicts(action: Callable[[], T], *, what: str, log: Callable[[str], None],
                    attempts: int = 6, first_delay_s: float = 0.5) -> T:
    """Run ``action`` (which opens its own connection and is safe to redo: every pressroom
    write replaces its window); when its commit conflicts with another writer's, wait with
    jittered exponential backoff, say so through ``log`` and run it again."""
    delay = first_delay_s
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except duckdb.Error as error:
            if not is_commit_conflict(error):
                raise
            first = str(error).strip().splitlines()[0][:300]
            if attempt == attempts:
                raise WarehouseConflictError(
                    f"{what}: the DuckLake commit conflicted with another writer {attempts} "
                    f"times ({first}); nothing of this attempt was committed. Run it again "
                    "when the other writer is done, or give the two runs different sources "
                    "or partitions."
                ) from error
            wait = delay * (1 + random.random() / 2)
            log(f"{what}: DuckLake commit conflict with another writer (attempt {attempt} of "
                f"{attempts}, nothing committed); retrying in {wait:.1f} s: {first}")
            time.sleep(wait)
            delay = min(delay * 2, 8.0)
    raise AssertionError("unreachable")


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: commit on success, roll back on any error."""
    conn.execute("begin transaction")
    try:
        yield conn
    except BaseException:
        conn.execute("rollback")
        raise
    conn.execute("commit")


@contextmanager
def registered(conn: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame
               ) -> Iterator[str]:
    """Expose a polars frame to SQL as view ``name`` (through Arrow) for the ``with`` block.

    A registered view lives in the transaction's catalog: inside a long transaction its Arrow
    data is kept until the commit, even once unregistered. Loops inside one transaction use
    `insert_frame` (or a local variable DuckDB scans by name), never this."""
    conn.register(name, frame.to_arrow())
    try:
        yield name
    finally:
        conn.unregister(name)


def insert_frame(conn: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Append a polars frame's columns to ``table`` through Arrow (no row-by-row inserts).

    The SQL reads the local Arrow table by its name (DuckDB's replacement scan), so nothing
    is registered: a registered view kept every batch's data until the commit of a long
    transaction (extraction's 1,000,000 releases grew by ~0.8 KB a row)."""
    if frame.height == 0:
        return
    columns = ", ".join(f'"{name}"' for name in frame.columns)
    incoming_frame = frame.to_arrow()  # noqa: F841 - scanned by name in the SQL below
    conn.execute(f"insert into {table} ({columns}) select {columns} from incoming_frame")
