"""Write-audit-publish: readers get a read-only copy swapped in atomically after every gate.

The copy holds what readers query: every table, except the fetch bookkeeping that only the
writer needs to re-parse (``raw.http_responses``, the compressed payloads, most of the
warehouse's bytes, and ``raw.fetched_items``) and dbt's ``intermediate`` tables (the
marts' building blocks, internal by contract; at 100,000 releases they held another copy of
every release text). dbt's staging views are not copied: they name the writer's catalog and
would not resolve in the copy.

Publishing costs what changed: the next copy starts as a file copy of the previous published
one, and only the slices whose content fingerprint differs from what was published
(``fingerprints.py``: a day of a partitioned table, a key bucket of any other) are deleted
and inserted again; a table whose columns changed, or more than half of whose rows did, is
rewritten whole. Without a usable previous copy (none, unreadable, another storage format,
mostly free space) the copy is written whole, as a fresh file. Either way the result holds
the same rows as a full copy, and it is written beside the old copy and renamed over it.
The copy carries the warehouse's descriptions as comments (`descriptions.py`).

The work overlaps where it can: the warehouse's tables are fingerprinted side by side, in one
query (`fingerprint_tables`), and the file copy of the previous published file (and its flush
to disk, so that the copy's final checkpoint has only the replaced slices to write out) runs in
a thread meanwhile; the copy is attached only once it is complete. The audit then runs in a
thread of its own beside the slices' replacement (`_AuditBeside`): both only read the
warehouse, the copy is written to a staging file, and that file replaces the published one
only once the audit passed. A refusal stops the copy's statement in progress; a publish that
fails, times out or is refused waits for both and removes the staging file. A full copy
starts once the audit passed, which runs in the calling thread (see `_AuditBeside`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.deadlines import deadline
from orchestration.settings import timeout_setting
from orchestration.warehouse.connection import MEMORY_LIMIT, sql_string
from orchestration.warehouse.descriptions import Descriptions, apply_comments
from orchestration.warehouse.fingerprints import (
    Changes,
    Manifest,
    TablePrint,
    changed_slices,
    fingerprint_tables,
    quoted,
    slice_condition,
)

WRITER_ONLY = {("raw", "http_responses"), ("raw", "fetched_items"), ("raw", "parsed_items")}
WRITER_ONLY_SCHEMAS = {"intermediate"}
STORAGE_VERSION = "v1.5.0"
"""The published file's DuckDB storage format: 1.x tools from 1.5 on can read it."""
REWRITE_SHARE = 0.5
"""A table with more than this share of its rows in changed slices is rewritten whole."""
Audit = Callable[[duckdb.DuckDBPyConnection, Changes], bool]
"""A gate run on the warehouse before anything is copied, told what differs from the last
published copy; False: publish nothing."""
MAX_FREE_SHARE = 0.5
"""A previous copy whose blocks are more than this share free is not reused (a full copy
compacts it)."""


@dataclass
class Publication:
    """What a publish did: the file, full or incremental (and why full), what it wrote."""

    path: Path
    mode: str
    reason: str = ""
    tables_rewritten: list[str] = field(default_factory=list)
    slices_replaced: int = 0
    comments_written: int = 0
    seconds: float = 0.0


def _reader_tables(driver: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    tables = driver.execute("""
        select schema_name, table_name from duckdb_tables()
        where database_name = 'source_db' order by all
    """).fetchall()
    return [
        (schema, table)
        for schema, table in tables
        if (schema, table) not in WRITER_ONLY and schema not in WRITER_ONLY_SCHEMAS
    ]


def _schemas(driver: duckdb.DuckDBPyConnection) -> list[str]:
    """The schemas a full copy creates (every source schema but the writer-only ones)."""
    rows = driver.execute(
        "select distinct schema_name from duckdb_tables() where database_name = 'source_db'"
    ).fetchall()
    return sorted({schema for (schema,) in rows} - WRITER_ONLY_SCHEMAS)


def _create(driver: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    driver.execute(
        f"create table {quoted(schema, table, 'published_db')} as "
        f"select * from {quoted(schema, table, 'source_db')}"
    )


class _FileCopy:
    """``source`` copied to ``target`` and flushed to disk in a thread of its own."""

    def __init__(self, source: Path, target: Path) -> None:
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._copy, args=(source, target))
        self._thread.start()

    def _copy(self, source: Path, target: Path) -> None:
        try:
            shutil.copyfile(source, target)
            handle = os.open(target, os.O_RDONLY)
            try:
                os.fsync(handle)
            finally:
                os.close(handle)
        except BaseException as error:  # handed to the thread that waits
            self._error = error

    def finish(self) -> BaseException | None:
        """Wait for the copy (in short waits: the caller stays interruptible); its error."""
        while self._thread.is_alive():
            self._thread.join(0.05)
        return self._error

    def wait(self) -> None:
        """Wait for the copy; raise its error."""
        error = self.finish()
        if error is not None:
            raise error


class _Refused(Exception):
    """The audit refused or failed while the copy was written: the copy stops."""


class _AuditBeside:
    """``audit`` run on a cursor of the publish's connection (the warehouse, attached read-only
    as ``source_db``, as its default catalog: the audit reads it under its plain names and
    shares the connection's buffers): in a thread while the copy is written (``beside``), or
    at once in the calling thread. An audit that refuses or fails interrupts the copy's
    statement in progress, and `go_on` stops the copy before its next table: nothing will be
    published.

    Not beside a full copy: the whole warehouse would be read twice at once, and DuckDB's
    memory freed in a second thread stays with that thread's allocator arena (the process's
    peak at 100,000 releases rose from 1.35 to 1.6 GB, even with the copy waiting for it)."""

    def __init__(
        self, driver: duckdb.DuckDBPyConnection, audit: Audit, changes: Changes, *, beside: bool
    ) -> None:
        self._driver = driver
        self._cursor = driver.cursor()
        self._cursor.execute("use source_db")
        self._passed = False
        self._refused = threading.Event()
        self._closed = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(audit, changes), name="publish-audit"
        )
        if beside:
            self._thread.start()
        else:
            self._run(audit, changes)

    def _run(self, audit: Audit, changes: Changes) -> None:
        try:
            self._passed = bool(audit(self._cursor, changes))
        except BaseException as error:  # handed to the thread that waits
            self._error = error
        if not self._passed:
            self._refused.set()
            self._driver.interrupt()

    def go_on(self) -> None:
        """Raise `_Refused` once the audit refused or failed."""
        if self._refused.is_set():
            raise _Refused

    def passed(self) -> bool:
        """Wait for the audit (in short waits: the caller stays interruptible); whether it
        passed. Raises the audit's own error."""
        while self._thread.is_alive():
            self._thread.join(0.05)
        if not self._closed:
            self._cursor.close()
            self._closed = True
        if self._error is not None:
            raise self._error
        return self._passed

    def stop(self) -> None:
        """Interrupt the audit's statement in progress and wait for it; its outcome is not
        wanted (the copy failed)."""
        with contextlib.suppress(duckdb.Error):
            self._cursor.interrupt()
        with contextlib.suppress(BaseException):
            self.passed()


def _full_copy(
    driver: duckdb.DuckDBPyConnection,
    tables: list[tuple[str, str]],
    done: Publication,
    go_on: Callable[[], None],
) -> None:
    for schema in _schemas(driver):
        driver.execute(f'create schema if not exists published_db."{schema}"')
    for schema, table in tables:
        go_on()
        _create(driver, schema, table)
        done.tables_rewritten.append(f"{schema}.{table}")


def _replace_slices(
    driver: duckdb.DuckDBPyConnection, schema: str, table: str, source: TablePrint, keys: list[str]
) -> None:
    """Delete the slices ``keys`` from the copy and insert them again from the warehouse."""
    condition = slice_condition(source.columns, keys)
    driver.execute(f"delete from {quoted(schema, table, 'published_db')} where {condition}")
    driver.execute(
        f"insert into {quoted(schema, table, 'published_db')} "
        f"select * from {quoted(schema, table, 'source_db')} where {condition}"
    )


def _sync(
    driver: duckdb.DuckDBPyConnection,
    tables: list[tuple[str, str]],
    sources: dict[str, TablePrint],
    previous: dict[str, TablePrint],
    done: Publication,
    go_on: Callable[[], None],
) -> None:
    """Make the copy (attached as published_db, holding what ``previous`` describes) hold
    the warehouse's reader tables (``go_on`` is called before each table: it raises to stop)."""
    wanted = {f"{schema}.{table}" for schema, table in tables}
    held = driver.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'published_db'"
    ).fetchall()
    held_names = {f"{schema}.{table}" for schema, table in held}
    for schema, table in held:
        if f"{schema}.{table}" not in wanted:
            driver.execute(f"drop table {quoted(schema, table, 'published_db')}")
    schemas = _schemas(driver)
    present = {
        schema
        for (schema,) in driver.execute(
            "select schema_name from duckdb_schemas() where database_name = 'published_db' "
            "and not internal"
        ).fetchall()
    }
    for schema in sorted(present - set(schemas)):
        driver.execute(f'drop schema published_db."{schema}" cascade')
    for schema in schemas:
        driver.execute(f'create schema if not exists published_db."{schema}"')
    for schema, table in tables:
        go_on()
        name = f"{schema}.{table}"
        source = sources[name]
        before = previous.get(name) if name in held_names else None
        if before is None or before.columns != source.columns:
            driver.execute(f"drop table if exists {quoted(schema, table, 'published_db')}")
            _create(driver, schema, table)
            done.tables_rewritten.append(name)
            continue
        keys = changed_slices(before, source)
        if not keys:
            continue
        touched = sum(source.slices.get(key, (0, ""))[0] for key in keys)
        if touched > REWRITE_SHARE * max(source.rows, 1):
            driver.execute(f"drop table {quoted(schema, table, 'published_db')}")
            _create(driver, schema, table)
            done.tables_rewritten.append(name)
            continue
        _replace_slices(driver, schema, table, source, keys)
        done.slices_replaced += len(keys)


def _previous_copy(
    driver: duckdb.DuckDBPyConnection,
    staging: Path,
    copy: _FileCopy | None,
    manifest: Manifest | None,
) -> tuple[dict[str, TablePrint] | None, str]:
    """Attach ``staging``, once ``copy`` (of the published file, whose manifest is
    ``manifest``) has made it, as published_db. Returns (its tables' fingerprints, "") or
    (None, why it cannot be reused)."""
    if copy is None:
        return None, "no previous published copy"
    copy.wait()
    try:
        driver.execute(f"attach {sql_string(staging)} as published_db")
    except duckdb.Error as error:
        return None, f"the previous copy does not open ({str(error)[:200]})"
    tags = driver.execute(
        "select tags['storage_version'] from duckdb_databases() "
        "where database_name = 'published_db'"
    ).fetchone()[0]
    if not str(tags or "").startswith(STORAGE_VERSION):
        return None, f"the previous copy is in storage format {tags}, not {STORAGE_VERSION}"
    total, free = driver.execute(
        "select total_blocks, free_blocks from pragma_database_size() "
        "where database_name = 'published_db'"
    ).fetchone()
    if total and free > MAX_FREE_SHARE * total:
        return None, f"the previous copy is {free}/{total} blocks free space"
    if manifest is not None:
        return manifest.tables, ""
    held = driver.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'published_db'"
    ).fetchall()
    return fingerprint_tables(driver, "published_db", held), ""


def _always() -> None:
    """`go_on` without an audit: the copy always goes on."""


def _discard(staging: Path) -> None:
    for leftover in (staging, staging.with_name(staging.name + ".wal")):
        leftover.unlink(missing_ok=True)


def publish_copy(
    warehouse: Path,
    published: Path,
    timeout_s: float | None = None,
    *,
    incremental: bool = True,
    audit: Audit | None = None,
    descriptions: Descriptions | None = None,
) -> Publication | None:
    """Bring the warehouse's reader tables to ``published`` through a temp file and an atomic
    rename (incrementally from the previous copy when it can be reused, see the module).

    Readers holding the old copy keep their snapshot (the old file is only read, never
    changed); new readers see the new one. The copy is written in DuckDB 1.5 storage format
    so 1.x tools can read it, and is read-only on disk. A copy still running after
    ``timeout_s`` is stopped (`StepTimeoutError`); the published copy is then the old one.

    ``audit`` runs once the warehouse is fingerprinted, beside the copy (`_AuditBeside`),
    given the warehouse's fingerprints and those of the last published copy (when its
    manifest is still valid and that copy was audited too); when it returns False nothing is
    published and None is returned. ``descriptions`` become the copy's comments
    (`descriptions.apply_comments`: only those it does not hold already).
    """
    started = time.monotonic()
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = published.with_name(published.name + ".next")
    _discard(staging)
    done = Publication(published, "incremental")
    driver = duckdb.connect(
        config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(warehouse) + ".publish.tmp"}
    )
    what = "copying the warehouse to the published file"
    last = Manifest.read_for(published)
    copy = _FileCopy(published, staging) if incremental and published.is_file() else None
    checking: _AuditBeside | None = None
    try:
        driver.execute(f"attach {sql_string(warehouse)} as source_db (read_only)")
        with deadline(what, timeout_s, timeout_setting("publish"), stop=driver.interrupt):
            tables = _reader_tables(driver)
            sources = fingerprint_tables(driver, "source_db", tables)
            previous, reason = (
                _previous_copy(driver, staging, copy, last)
                if incremental
                else (None, "a full copy was asked for")
            )
        audit_s = 0.0  # an audit before the copy: not the copy's time
        if audit is not None:
            audited = last.tables if last is not None and last.audited else None
            began = time.monotonic()
            checking = _AuditBeside(
                driver, audit, Changes(audited, sources), beside=previous is not None
            )
            if previous is None:
                audit_s = time.monotonic() - began
                if not checking.passed():
                    return _publish_nothing(driver, copy, staging)
        spent = time.monotonic() - started - audit_s
        left = None if timeout_s is None else max(timeout_s - spent, 0.001)
        try:
            with deadline(what, left, timeout_setting("publish"), stop=driver.interrupt):
                _write_copy(
                    driver,
                    staging,
                    (previous, reason),
                    tables,
                    sources,
                    descriptions,
                    done,
                    checking.go_on if checking is not None else _always,
                )
        except BaseException:
            if checking is None or checking.passed():
                raise
            # refused: the audit stopped the copy, which is not wanted
        done.seconds = round(time.monotonic() - started - audit_s, 3)
        if checking is not None and not checking.passed():
            return _publish_nothing(driver, copy, staging)
        driver.execute("detach source_db")
    except BaseException:
        if checking is not None:
            checking.stop()
        driver.close()
        if copy is not None:
            copy.finish()  # its own error, if any, gives way to this one
        _discard(staging)
        raise
    driver.close()
    staging.chmod(0o444)  # read-only on disk: readers cannot change what they were given
    manifest = Manifest(Manifest.identity_of(staging), sources, audited=audit is not None)
    manifest_next = Manifest.path_for(staging)
    manifest.write(manifest_next)
    os.replace(staging, published)
    os.replace(manifest_next, Manifest.path_for(published))
    return done


def _publish_nothing(
    driver: duckdb.DuckDBPyConnection, copy: _FileCopy | None, staging: Path
) -> None:
    """Nothing is published: close, wait for the file copy, remove the staging file."""
    driver.close()
    if copy is not None:
        copy.finish()
    _discard(staging)


def _write_copy(
    driver: duckdb.DuckDBPyConnection,
    staging: Path,
    reusable: tuple[dict[str, TablePrint] | None, str],
    tables: list[tuple[str, str]],
    sources: dict[str, TablePrint],
    descriptions: Descriptions | None,
    done: Publication,
    go_on: Callable[[], None],
) -> None:
    """Write the reader ``tables`` (``sources``: their fingerprints) to ``staging``: from the
    previous copy when ``reusable`` holds its fingerprints, else whole (``reusable``'s reason
    why), then their comments, and detach it (its checkpoint). ``go_on`` is called before
    each table and before the comments: it raises to stop."""
    previous, reason = reusable
    if previous is None:
        if driver.execute(
            "select count(*) from duckdb_databases() where database_name = 'published_db'"
        ).fetchone()[0]:
            driver.execute("detach published_db")
        _discard(staging)
        done.mode, done.reason = "full", reason
        driver.execute(
            f"attach {sql_string(staging)} as published_db (storage_version '{STORAGE_VERSION}')"
        )
        _full_copy(driver, tables, done, go_on)
    else:
        _sync(driver, tables, sources, previous, done, go_on)
    go_on()
    if descriptions:
        done.comments_written = apply_comments(driver, "published_db", descriptions)
    driver.execute("detach published_db")


def publish(warehouse: Path, published: Path, timeout_s: float | None = None) -> Path:
    """`publish_copy` without an audit, returning the published file."""
    done = publish_copy(warehouse, published, timeout_s)
    assert done is not None  # only an audit can refuse
    return done.path
