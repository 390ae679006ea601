"""Where the warehouse lives: one DuckDB file (the default) or a DuckLake whose catalog is in
PostgreSQL and whose data are Parquet files under a directory.

``PRESSROOM_WAREHOUSE`` names it (parsed here, read by `orchestration.settings`):

- ``duckdb:PATH``: one DuckDB file; readers get a copy published beside it.
- ``ducklake:postgres:CONNINFO``: a DuckLake; CONNINFO is a libpq connection string
  (``host=127.0.0.1 port=5432 dbname=lake user=pressroom``); the Parquet files go under the
  data path (``PRESSROOM_LAKE_DATA``). Readers pin the snapshot the last audit published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

LAKE_ALIAS = "lake"
"""The name the DuckLake is attached under, by pressroom and by dbt (views name it)."""


@dataclass(frozen=True)
class DuckDBFile:
    """One DuckDB file with one writer; readers open the published copy."""

    path: Path
    published_path: Path

    @property
    def is_lake(self) -> bool:
        return False

    def describe(self) -> str:
        return f"duckdb:{self.path}"


@dataclass(frozen=True)
class DuckLake:
    """A DuckLake: catalog in PostgreSQL (``catalog`` is its libpq conninfo), Parquet files
    under ``data_path``; several writers; readers pin a published snapshot."""

    catalog: str
    data_path: Path

    @property
    def is_lake(self) -> bool:
        return True

    @property
    def attach_path(self) -> str:
        return f"ducklake:postgres:{self.catalog}"

    def describe(self) -> str:
        """The setting without a password (safe to print and log)."""
        return f"ducklake:postgres:{_without_password(self.catalog)} (data {self.data_path})"


WarehouseTarget = DuckDBFile | DuckLake


def _without_password(conninfo: str) -> str:
    """A libpq conninfo (``key=value`` words or a ``postgresql://`` URL) with its password
    replaced by ``…``."""
    if "://" in conninfo:
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1…@", conninfo)
    return re.sub(r"(?i)\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", "password=…", conninfo)


_FORMS = (
    "duckdb:PATH or ducklake:postgres:CONNINFO "
    "(e.g. 'ducklake:postgres:dbname=lake host=127.0.0.1')"
)


def parse_warehouse(text: str | None, home: Path, lake_data: str | None = None) -> WarehouseTarget:
    """The warehouse named by ``text`` (empty: ``home``/warehouse.duckdb). Relative paths are
    taken from the current directory; the DuckLake data path defaults to ``home``/lake."""
    spec = (text or "").strip()
    if not spec:
        return _duckdb_file(home / "warehouse.duckdb", home)
    scheme, _, rest = spec.partition(":")
    scheme = scheme.strip().lower()
    if scheme == "duckdb":
        if not rest.strip():
            raise ValueError(f"PRESSROOM_WAREHOUSE={spec!r} names no file; use {_FORMS}")
        return _duckdb_file(Path(rest.strip()).expanduser().resolve(), home)
    if scheme == "ducklake":
        catalog_kind, _, conninfo = rest.partition(":")
        if catalog_kind.strip().lower() != "postgres":
            raise ValueError(
                f"PRESSROOM_WAREHOUSE={spec!r}: pressroom's DuckLake keeps its "
                f"catalog in PostgreSQL; use {_FORMS}"
            )
        if not conninfo.strip():
            raise ValueError(
                f"PRESSROOM_WAREHOUSE={spec!r} has no PostgreSQL connection string "
                f"after 'ducklake:postgres:'; use {_FORMS}"
            )
        data = (
            Path(lake_data).expanduser().resolve()
            if lake_data and lake_data.strip()
            else home / "lake"
        )
        return DuckLake(catalog=conninfo.strip(), data_path=data)
    raise ValueError(f"PRESSROOM_WAREHOUSE={spec!r} is neither form; use {_FORMS}")


def _duckdb_file(path: Path, home: Path) -> DuckDBFile:
    return DuckDBFile(path=path, published_path=home / "published" / "pressroom.duckdb")
