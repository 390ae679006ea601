"""Opening the DuckDB warehouse: one writer, no runtime extension downloads, clear lock errors."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": True}


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


def sql_string(value: object) -> str:
    """A SQL string literal for a value that cannot be a parameter (ATTACH, COPY … TO paths):
    quoted, with embedded quotes doubled, so a path like ``/home/o'brien`` works."""
    return "'" + str(value).replace("'", "''") + "'"


@contextmanager
def open_warehouse(path: Path | str, *, read_only: bool = False, wait_s: float = 30.0
                   ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection that is always closed, even when the body raises."""
    conn = connect(path, read_only=read_only, wait_s=wait_s)
    try:
        yield conn
    finally:
        conn.close()


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
    """Expose a polars frame to SQL as view ``name`` (through Arrow) for the ``with`` block."""
    conn.register(name, frame.to_arrow())
    try:
        yield name
    finally:
        conn.unregister(name)


def insert_frame(conn: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Append a polars frame's columns to ``table`` through Arrow (no row-by-row inserts)."""
    if frame.height == 0:
        return
    columns = ", ".join(f'"{name}"' for name in frame.columns)
    with registered(conn, "incoming_frame", frame):
        conn.execute(f"insert into {table} ({columns}) select {columns} from incoming_frame")
