"""Content fingerprints of a DuckDB database's tables, by slice, to find what changed.

A table is cut into slices by a cheap column: its ``partition_date`` (a day of releases,
where rows of one run sit together) or else a bucket of its first column's hash (the key in
every pressroom table). A slice's fingerprint is its row count and the sum of its rows' 64-bit
hashes (``hash(row)``, every column; a sum, so row order does not matter and duplicates
count). Two slices with equal fingerprints hold the same rows but for a hash-sum collision
(about 2^-64 a slice). The fingerprints of what was last published are kept beside the
published file (`Manifest`), so only the warehouse is read on each publish.

`fingerprint_tables` reads several tables at once, each query on its own cursor: DuckDB
scans a table by row groups (122,880 rows), so a table of up to that many rows (every
pressroom table at 100,000 releases) is read by one thread, and one table after another
would leave the other cores idle.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

SLICE_COLUMN = "partition_date"
BUCKETS = 1024
"""Slices of a table without ``partition_date``: a new day's rows touch a few of them."""

Columns = tuple[tuple[str, str], ...]
Slices = dict[str, tuple[int, str]]
"""Slice key (text) -> (rows, hash sum as text)."""


def quoted(schema: str, table: str, database: str | None = None) -> str:
    name = f'"{schema}"."{table}"'
    return f'"{database}".{name}' if database else name


def columns_of(conn: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> Columns:
    return tuple(
        conn.execute(
            "select column_name, data_type from duckdb_columns() where database_name = ? "
            "and schema_name = ? and table_name = ? order by column_index",
            [database, schema, table],
        ).fetchall()
    )


def slice_expression(columns: Columns) -> str:
    """SQL for a row's slice; the same on both sides, since the columns must match."""
    names = [name for name, _ in columns]
    if SLICE_COLUMN in names:
        return f'"{SLICE_COLUMN}"'
    return f'hash("{names[0]}") % {BUCKETS}'


def slice_condition(columns: Columns, keys: list[str]) -> str:
    """SQL true for the rows of the slices ``keys``, as constants of the slice column's type
    (so DuckDB compares dates, and can skip row groups by their min/max, rather than cast
    every row to text)."""
    names = dict(columns)
    expression = slice_expression(columns)
    values = [key for key in keys if key != "null"]
    if SLICE_COLUMN in names:
        kind = names[SLICE_COLUMN]
        literals = [f"cast('{key.replace(chr(39), chr(39) * 2)}' as {kind})" for key in values]
    else:
        literals = [str(int(key)) for key in values]
    parts = [f"{expression} in ({', '.join(literals)})"] if literals else []
    if "null" in keys:
        parts.append(f"{expression} is null")
    return "(" + " or ".join(parts) + ")"


def slice_key(value: object) -> str:
    return "null" if value is None else str(value)


@dataclass
class TablePrint:
    """One table's columns and its slices' fingerprints."""

    columns: Columns
    slices: Slices

    @property
    def rows(self) -> int:
        return sum(count for count, _ in self.slices.values())


def fingerprint(
    conn: duckdb.DuckDBPyConnection, database: str, schema: str, table: str
) -> TablePrint:
    columns = columns_of(conn, database, schema, table)
    if not columns:
        raise LookupError(f"{database}.{schema}.{table} is gone (it was dropped meanwhile?)")
    rows = conn.execute(
        f"select {slice_expression(columns)} as slice, count(*), sum(hash(row_values))::varchar "
        f"from {quoted(schema, table, database)} as row_values group by all"
    ).fetchall()
    return TablePrint(columns, {slice_key(value): (count, total) for value, count, total in rows})


class Fingerprinter:
    """Fingerprints many tables of one connection, ``workers`` at a time, each worker on its
    own cursor (the cursors share the connection's database instance, its attached databases,
    buffer pool and memory limit). `interrupt` (from any thread) stops the running queries and
    starts no more, for good."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, workers: int) -> None:
        self._conn, self._workers = conn, max(workers, 1)
        self._guard = threading.Lock()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._stopped = False

    def interrupt(self) -> None:
        with self._guard:
            self._stopped = True
            for cursor in self._cursors:
                cursor.interrupt()

    def tables(self, database: str, tables: list[tuple[str, str]]) -> dict[str, TablePrint]:
        """The fingerprints of ``database``'s ``tables`` ("schema.table" -> print, in their
        order), as `fingerprint` gives them; the first error of any worker is raised once every
        worker has stopped."""
        pending = list(reversed(tables))
        done: dict[str, TablePrint] = {}
        errors: list[BaseException] = []

        def work(cursor: duckdb.DuckDBPyConnection) -> None:
            try:
                while True:
                    with self._guard:
                        if self._stopped or errors or not pending:
                            return
                        schema, table = pending.pop()
                    done[f"{schema}.{table}"] = fingerprint(cursor, database, schema, table)
            except BaseException as error:  # handed to the calling thread
                with self._guard:
                    errors.append(error)

        with self._guard:
            if self._stopped:
                raise duckdb.InterruptException("INTERRUPT Error: the fingerprints were stopped")
            self._cursors = [self._conn.cursor() for _ in range(min(self._workers, len(tables)))]
        threads = [threading.Thread(target=work, args=(cursor,)) for cursor in self._cursors]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                while thread.is_alive():  # a timed wait: the caller stays interruptible
                    thread.join(0.05)
        finally:
            if any(thread.is_alive() for thread in threads):
                self.interrupt()  # the caller was interrupted: stop the workers before leaving
                for thread in threads:
                    thread.join()
            with self._guard:
                for cursor in self._cursors:
                    cursor.close()
                self._cursors = []
        if errors:
            raise errors[0]
        if self._stopped:
            raise duckdb.InterruptException("INTERRUPT Error: the fingerprints were stopped")
        return {f"{schema}.{table}": done[f"{schema}.{table}"] for schema, table in tables}


def workers_of(conn: duckdb.DuckDBPyConnection) -> int:
    """DuckDB's thread count for ``conn`` (its cores unless set otherwise)."""
    return int(conn.execute("select current_setting('threads')").fetchone()[0])


def changed_slices(before: TablePrint, after: TablePrint) -> list[str]:
    """Slice keys whose rows differ (present on either side)."""
    keys = before.slices.keys() | after.slices.keys()
    return sorted(key for key in keys if before.slices.get(key) != after.slices.get(key))


@dataclass
class Manifest:
    """The fingerprints of a published file, valid only for that exact file; ``audited``:
    the file was published after the publish audit passed (what it holds needs no audit)."""

    identity: list[int]
    tables: dict[str, TablePrint] = field(default_factory=dict)
    audited: bool = False

    @staticmethod
    def path_for(published: Path) -> Path:
        return published.with_name(published.name + ".manifest.json")

    @staticmethod
    def identity_of(path: Path) -> list[int]:
        """Inode, size and modification time: a rename keeps them, any rewrite changes one."""
        stat = path.stat()
        return [stat.st_ino, stat.st_size, stat.st_mtime_ns]

    def write(self, path: Path) -> None:
        payload = {
            "identity": self.identity,
            "audited": self.audited,
            "tables": {
                name: {
                    "columns": [list(column) for column in table.columns],
                    "slices": {key: list(value) for key, value in table.slices.items()},
                }
                for name, table in self.tables.items()
            },
        }
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(payload, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, path)

    @classmethod
    def read_for(cls, published: Path) -> Manifest | None:
        """The manifest of ``published`` as it is on disk now, or None (missing, unreadable,
        or written for another file: then the published copy is fingerprinted instead)."""
        try:
            payload = json.loads(cls.path_for(published).read_text(encoding="utf-8"))
            if payload["identity"] != cls.identity_of(published):
                return None
            return cls(
                payload["identity"],
                {
                    name: TablePrint(
                        tuple((column, kind) for column, kind in table["columns"]),
                        {
                            key: (int(count), str(total))
                            for key, (count, total) in table["slices"].items()
                        },
                    )
                    for name, table in payload["tables"].items()
                },
                audited=payload.get("audited") is True,
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None


@dataclass(frozen=True)
class Changes:
    """What differs between the last published copy (``published``: its manifest's
    fingerprints, None when there is no usable one) and the warehouse (``current``)."""

    published: dict[str, TablePrint] | None
    current: dict[str, TablePrint]

    def days(self, tables: Iterable[str]) -> list[date] | None:
        """The partition days whose rows differ in any of ``tables`` ("schema.table"), in
        order; None when that cannot be told day by day (no published fingerprints, a table
        new or reshaped or without ``partition_date``, rows without a day): then every day
        counts as changed."""
        if self.published is None:
            return None
        days: set[date] = set()
        for name in tables:
            before, after = self.published.get(name), self.current.get(name)
            if before is None or after is None or before.columns != after.columns:
                return None
            if SLICE_COLUMN not in dict(after.columns):
                return None
            keys = changed_slices(before, after)
            if "null" in keys:
                return None
            days.update(date.fromisoformat(key) for key in keys)
        return sorted(days)
