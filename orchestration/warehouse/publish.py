"""Write-audit-publish: readers get a read-only copy swapped in atomically after every gate.

The copy holds what readers query: every table, except the fetch bookkeeping that only the
writer needs to re-parse (``raw.http_responses``, the compressed payloads, most of the
warehouse's bytes, and ``raw.fetched_items``) and dbt's ``intermediate`` tables (the
marts' building blocks, internal by contract; at 100,000 releases they held another copy of
every release text). dbt's staging views are not copied: they name the writer's catalog and
would not resolve in the copy.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from orchestration.deadlines import deadline
from orchestration.settings import timeout_setting
from orchestration.warehouse.connection import MEMORY_LIMIT, sql_string

WRITER_ONLY = {("raw", "http_responses"), ("raw", "fetched_items"), ("raw", "parsed_items")}
WRITER_ONLY_SCHEMAS = {"intermediate"}


def _copy(driver: duckdb.DuckDBPyConnection) -> int:
    tables = driver.execute("""
        select schema_name, table_name from duckdb_tables()
        where database_name = 'source_db' order by all
    """).fetchall()
    schemas = sorted({schema for schema, _ in tables} - WRITER_ONLY_SCHEMAS)
    for schema in schemas:
        driver.execute(f'create schema if not exists published_db."{schema}"')
    copied = 0
    for schema, table in tables:
        if (schema, table) in WRITER_ONLY or schema in WRITER_ONLY_SCHEMAS:
            continue
        driver.execute(
            f'create table published_db."{schema}"."{table}" as '
            f'select * from source_db."{schema}"."{table}"'
        )
        copied += 1
    return copied


def publish(warehouse: Path, published: Path, timeout_s: float | None = None) -> Path:
    """Copy the warehouse's reader tables to ``published`` through a temp file and an atomic
    rename.

    Readers holding the old copy keep their snapshot; new readers see the new one. The copy is
    written in DuckDB 1.5 storage format so 1.x tools can read it, and is read-only on disk.
    A copy still running after ``timeout_s`` is stopped (`StepTimeoutError`); the published
    copy is then the old one.
    """
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = published.with_name(published.name + ".next")
    for leftover in (staging, staging.with_name(staging.name + ".wal")):
        leftover.unlink(missing_ok=True)
    driver = duckdb.connect(config={"memory_limit": MEMORY_LIMIT,
                                    "temp_directory": str(warehouse) + ".publish.tmp"})
    try:
        driver.execute(f"attach {sql_string(warehouse)} as source_db (read_only)")
        driver.execute(f"attach {sql_string(staging)} as published_db "
                       "(storage_version 'v1.5.0')")
        with deadline("copying the warehouse to the published file", timeout_s,
                      timeout_setting("publish"), stop=driver.interrupt):
            _copy(driver)
        driver.execute("detach published_db")
        driver.execute("detach source_db")
    finally:
        driver.close()
    staging.chmod(0o444)  # read-only on disk: readers cannot change what they were given
    os.replace(staging, published)
    return published
