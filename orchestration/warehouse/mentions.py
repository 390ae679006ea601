"""Writing extraction results (raw mention tables) for a partition window."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Iterator
from datetime import date

import duckdb
import polars as pl

from orchestration.warehouse.connection import insert_frame, same_catalog_cursor, transaction
from orchestration.warehouse.quarantine import quarantine_window
from orchestration.warehouse.schema import MENTION_TABLES, RAW_TABLES


def latest_releases(conn: duckdb.DuckDBPyConnection, start: date, end: date,
                    batch_size: int = 5000) -> Iterator[list[dict]]:
    """Latest version of each release in [start, end), in batches (never the whole corpus).

    Reads through its own cursor so the caller can write on ``conn`` meanwhile.
    """
    cursor = same_catalog_cursor(conn)
    cursor.execute("""
        select release_id, version, title, body_text, source_name, release_type_hint,
               metadata_json, is_truncated, partition_date,
               coalesce(cast(published_at as date), partition_date) as reference_date,
               published_at is not null as is_reference_published
        from raw.releases
        where partition_date >= $1 and partition_date < $2
          and (release_id, version) in (  -- not a window over the texts: they stay on disk
              select (release_id, max(version)) from raw.releases
              where partition_date >= $1 and partition_date < $2 group by release_id)
    """, [start, end])  # no "order by": sorting the texts held them all in memory (310 MB at
    # 100,000 releases); mention rows are keyed by release, their order means nothing
    columns = [column[0] for column in cursor.description]
    while rows := cursor.fetchmany(batch_size):
        yield [dict(zip(columns, row, strict=True)) for row in rows]


def _release_input(row: dict, release_input: type) -> object:
    """The extractor's input for a ``latest_releases`` row. Its reference date is the
    publication day, or a dump's declared as-of day (metadata ``as_of``); otherwise it is
    only the fetch day (``is_reference_published`` False)."""
    metadata = json.loads(row["metadata_json"] or "{}")
    return release_input(
        release_id=row["release_id"], title=row["title"], body_text=row["body_text"],
        reference_date=row["reference_date"], source_name=row["source_name"],
        release_type_hint=row["release_type_hint"], metadata=metadata,
        is_truncated=row["is_truncated"],
        is_reference_published=row["is_reference_published"] or "as_of" in metadata,
    )


def extract_batches(batches: Iterable[list[dict]], tally: dict[str, int] | None = None,
                    processes: int | None = None) -> Iterator[dict[str, list[dict]]]:
    """Run the extractor over batches of `latest_releases` rows; yield mention rows per table
    and batch, stamped with partition_date and extractor_version (the annotation also with
    version).

    One stream through one worker pool (two processes unless ``processes`` says otherwise;
    a small window is extracted in this process): the workers go on extracting while a
    batch's rows are written. `tally` (optional) counts releases and releases with no
    mention at all.
    """
    from orchestration.extract import (
        EXTRACTOR_VERSION,
        ReleaseInput,
        extract_many,
        extraction_rows,
    )

    tally = tally if tally is not None else {}
    read: deque[list[dict]] = deque()  # batches read, in order, not yet yielded

    def inputs() -> Iterator[object]:
        for batch in batches:
            if not batch:
                continue  # nothing to extract, nothing to yield
            read.append(batch)
            yield from (_release_input(row, ReleaseInput) for row in batch)

    out: dict[str, list[dict]] = {}
    done = 0  # releases of read[0] extracted so far
    for extraction in extract_many(inputs(), processes=2 if processes is None else processes):
        batch = read[0]
        release = batch[done]
        if release["release_id"] != extraction.release_id:  # extract_many keeps input order
            raise RuntimeError(f"extraction of {extraction.release_id} arrived in place of "
                               f"{release['release_id']}; nothing was written")
        tables = extraction_rows(extraction)
        tally["releases"] = tally.get("releases", 0) + 1
        if not any(tables.get(name) for name in ("person_mentions", "location_mentions",
                                                 "event_mentions")):
            tally["releases_with_no_mentions"] = tally.get("releases_with_no_mentions", 0) + 1
        for table, rows in tables.items():
            for row in rows:
                row["partition_date"] = release["partition_date"]
                row["extractor_version"] = EXTRACTOR_VERSION
                if table == "release_annotations":
                    row["version"] = release["version"]
            out.setdefault(table, []).extend(rows)
        done += 1
        if done == len(batch):
            read.popleft()
            yield out
            out, done = {}, 0


def _table_columns(table: str) -> list[str]:
    names = []
    for line in RAW_TABLES[table].strip().splitlines():
        name = line.strip().split()[0].strip('"')
        if name not in {"primary"}:
            names.append(name)
    return names


def replace_mentions(conn: duckdb.DuckDBPyConnection, start: date, end: date,
                     batches: Iterable[dict[str, list[dict]]]) -> dict[str, int]:
    """Delete the window's mention rows and insert the new ones, all in one transaction."""
    counts = dict.fromkeys(MENTION_TABLES, 0)
    with transaction(conn):
        for table in MENTION_TABLES:
            # A release that moved into this window (a dump repeating it on a later day) takes
            # its mentions along: rows filed under its old day would duplicate the new ones.
            conn.execute(f"""
                delete from raw.{table}
                where (partition_date >= $1 and partition_date < $2)
                   or release_id in (select release_id from raw.releases
                                     where partition_date >= $1 and partition_date < $2)
            """, [start, end])
        for batch in batches:
            for table in MENTION_TABLES:
                rows = batch.get(table) or []
                if not rows:
                    continue
                columns = _table_columns(table)
                frame = pl.DataFrame([{name: row.get(name) for name in columns} for row in rows],
                                     infer_schema_length=None)
                insert_frame(conn, f"raw.{table}", frame)
                counts[table] += len(rows)
    counts["quarantined"] = quarantine_window(conn, start, end, mentions=True)
    return counts
