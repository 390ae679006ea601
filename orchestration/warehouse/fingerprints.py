"""Content fingerprints of a DuckDB database's tables, by slice, to find what changed.

A table is cut into slices by a cheap column: its ``partition_date`` (a day of releases,
where rows of one run sit together) or else a bucket of its first column's hash (the key in
every pressroom table). A slice's fingerprint is its row count and the sum of its rows' 64-bit
hashes (``hash(row)``, every column; a sum, so row order does not matter and duplicates
count). Two slices with equal fingerprints hold the same rows but for a hash-sum collision
(about 2^-64 a slice). The fingerprints of what was last published are kept beside the
published file (`Manifest`), so only the warehouse is read on each publish.

`fingerprint_tables` fingerprints many tables in one query, a ``union all`` of one
aggregate per table, which DuckDB runs side by side on its threads: it scans a table by row
groups (122,880 rows), so a table of up to that many rows (every pressroom table at 100,000
releases) is read by one thread, and one query per table would leave the other cores idle.
A slice's key is its value as DuckDB's text (a day as ``2024-03-15``, a bucket as ``17``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from orchestration.warehouse.connection import sql_string

SLICE_COLUMN = "partition_date"
BUCKETS = 1024
"""Slices of a table without ``partition_date``: a new day's rows touch a few of them."""

Columns = tuple[tuple[str, str], ...]
Slices = dict[str, tuple[int, str]]
"""Slice key (text) -> (rows, hash sum as text)."""


def quoted(schema: str, table: str, database: str | None = None) -> str:
    name = f'"{schema}"."{table}"'
    return f'"{database}".{name}' if database else name


def columns_of(conn: duckdb.DuckDBPyConnection, database: str) -> dict[tuple[str, str], Columns]:
    """The columns of every table of ``database``, by (schema, table)."""
    columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, name, kind in conn.execute(
        "select schema_name, table_name, column_name, data_type from duckdb_columns() "
        f"where database_name = {sql_string(database)} order by schema_name, table_name, "
        "column_index"
    ).fetchall():
        columns.setdefault((schema, table), []).append((name, kind))
    return {key: tuple(value) for key, value in columns.items()}


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


@dataclass
class TablePrint:
    """One table's columns and its slices' fingerprints."""

    columns: Columns
    slices: Slices

    @property
    def rows(self) -> int:
        return sum(count for count, _ in self.slices.values())


def fingerprint_tables(
    conn: duckdb.DuckDBPyConnection, database: str, tables: list[tuple[str, str]]
) -> dict[str, TablePrint]:
    """The fingerprints of ``database``'s ``tables`` ("schema.table" -> print, in their
    order), all in one query (see the module)."""
    known = columns_of(conn, database) if tables else {}
    prints: dict[str, TablePrint] = {}
    branches = []
    for index, (schema, table) in enumerate(tables):
        columns = known.get((schema, table))
        if not columns:
            raise LookupError(f"{database}.{schema}.{table} is gone (it was dropped meanwhile?)")
        prints[f"{schema}.{table}"] = TablePrint(columns, {})
        branches.append(
            f"(select {index} as table_index, ({slice_expression(columns)})::varchar as slice, "
            "count(*) as row_count, sum(hash(row_values))::varchar as hash_sum "
            f"from {quoted(schema, table, database)} as row_values group by all)"
        )
    if not branches:
        return prints
    names = list(prints)
    for index, key, count, total in conn.execute(" union all ".join(branches)).fetchall():
        prints[names[index]].slices["null" if key is None else key] = (count, total)
    return prints


def fingerprint(
    conn: duckdb.DuckDBPyConnection, database: str, schema: str, table: str
) -> TablePrint:
    """One table's fingerprints (`fingerprint_tables` of that table alone)."""
    return fingerprint_tables(conn, database, [(schema, table)])[f"{schema}.{table}"]


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
