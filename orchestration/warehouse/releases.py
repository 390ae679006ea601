"""raw.releases: one row per release version, rebuilt per partition window from kept payloads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import polars as pl

from orchestration.sources.config import SourceConfig
from orchestration.sources.dates import to_naive_utc
from orchestration.sources.models import ParsedRelease
from orchestration.sources.rebuild import Rebuilder
from orchestration.warehouse.connection import (
    insert_frame,
    registered,
    same_catalog_cursor,
    transaction,
)
from orchestration.warehouse.quarantine import quarantine_window, release_window
from orchestration.warehouse.raw_store import PayloadCache

RELEASE_SCHEMA = {
    "release_id": pl.Utf8, "version": pl.Int32, "source": pl.Utf8, "source_name": pl.Utf8,
    "native_id": pl.Utf8, "url": pl.Utf8, "title": pl.Utf8, "summary": pl.Utf8,
    "body_text": pl.Utf8, "published_at": pl.Datetime("us"), "partition_date": pl.Date,
    "is_truncated": pl.Boolean, "language": pl.Utf8, "release_type_hint": pl.Utf8,
    "metadata_json": pl.Utf8, "content_hash": pl.Utf8, "fetched_at": pl.Datetime("us"),
    "payload_sha256": pl.Utf8,
}


@dataclass(frozen=True)
class LoadStats:
    observations: int
    releases: int
    new: int
    changed: int
    unchanged: int
    rejected: int
    versions_written: int


def _versions(observations: list[tuple[dict, ParsedRelease]], partition: date) -> list[dict]:
    """Each distinct text, in order of first fetch, is a version. A truncated observation never
    supersedes a full text (a failed page fetch must not overwrite what we had)."""
    rows: list[dict] = []
    seen: set[str] = set()
    have_full = False
    for ref, release in observations:
        if release.is_truncated and have_full:
            continue
        have_full = have_full or not release.is_truncated
        if release.content_hash in seen:
            continue
        seen.add(release.content_hash)
        rows.append({
            "release_id": release.release_id, "version": len(rows) + 1,
            "source": release.source, "source_name": release.source_name,
            "native_id": release.native_id, "url": release.url, "title": release.title,
            "summary": release.summary, "body_text": release.body_text,
            "published_at": to_naive_utc(release.published_at), "partition_date": partition,
            "is_truncated": release.is_truncated, "language": release.language,
            "release_type_hint": release.release_type_hint,
            "metadata_json": json.dumps(release.metadata, sort_keys=True, ensure_ascii=False),
            "content_hash": release.content_hash, "fetched_at": ref["fetched_at"],
            "payload_sha256": ref.get("detail_payload_sha256") or ref.get("feed_payload_sha256"),
        })
    return rows


BATCH_RELEASES = 2000  # releases re-parsed, held and written at once (bounds memory)


def _release_versions(group: list[dict], rebuilder: Rebuilder) -> list[dict]:
    """All versions of one release from its observations (refs in fetch order)."""
    release_id = group[0]["release_id"]
    observations = []
    for ref in group:
        release = rebuilder.build(ref)
        if isinstance(release, ParsedRelease) and release.release_id == release_id:
            observations.append((ref, release))
    if not observations:
        return []
    return _versions(observations, group[-1]["release_partition"])


def _ref_groups(conn: duckdb.DuckDBPyConnection, start: date, end: date,
                batch_size: int = BATCH_RELEASES) -> Iterator[list[list[dict]]]:
    """Observations of the releases whose latest observation falls in [start, end), grouped
    by release, ``batch_size`` releases at a time (read through a cursor of their own)."""
    cursor = same_catalog_cursor(conn)
    cursor.execute("""
        with latest as (
            select release_id, arg_max(partition_date, fetched_at) as partition_date
            from raw.fetched_items group by release_id
        )
        select items.*, latest.partition_date as release_partition
        from raw.fetched_items as items
        inner join latest using (release_id)
        where latest.partition_date >= ? and latest.partition_date < ?
        order by items.release_id, items.fetched_at, items.run_id, items.item_key
    """, [start, end])
    columns = [column[0] for column in cursor.description]
    groups: list[list[dict]] = []
    current: list[dict] = []
    try:
        while rows := cursor.fetchmany(4096):
            for row in rows:
                ref = dict(zip(columns, row, strict=True))
                if current and ref["release_id"] != current[0]["release_id"]:
                    groups.append(current)
                    current = []
                    if len(groups) >= batch_size:
                        yield groups
                        groups = []
                current.append(ref)
        if current:
            groups.append(current)
        if groups:
            yield groups
    finally:
        cursor.close()


def rebuild_releases(conn: duckdb.DuckDBPyConnection, sources: dict[str, SourceConfig],
                     start: date, end: date, *, now: datetime | None = None,
                     batch_size: int = BATCH_RELEASES) -> LoadStats:
    """Replace the releases whose latest observation falls in [start, end) (end exclusive).

    Works ``batch_size`` releases at a time: payloads, parsed releases and the rows written
    are those of one batch, whatever the window holds. One transaction: all or nothing.
    """
    previous = conn.execute("""
        select release_id, max(version) as versions from raw.releases
        where partition_date >= ? and partition_date < ? group by release_id
    """, [start, end]).pl()
    before = dict(zip(previous["release_id"].to_list(), previous["versions"].to_list(),
                      strict=True))
    del previous
    payloads = PayloadCache(conn)
    rebuilder = Rebuilder(sources, payloads.get, now=now)
    observations = releases = versions_written = new = changed = 0
    # Only rows this rebuild re-derives are replaced: releases of a source that is no longer
    # configured (or disabled) cannot be re-derived, and a config change never deletes data.
    derivable = pl.DataFrame({"source": sorted(sources)}, schema={"source": pl.Utf8})
    release_window(conn, start, end)
    with transaction(conn):
        with registered(conn, "derivable", derivable):
            conn.execute("""
                delete from raw.releases
                where partition_date >= ? and partition_date < ?
                  and (source in (select source from derivable)
                       or release_id in (select release_id from raw.fetched_items
                                         where context_json like '%"as_of"%'))
            """, [start, end])
        for batch in _ref_groups(conn, start, end, batch_size):
            payloads.prefetch([ref for group in batch for ref in group])
            rows = [row for group in batch for row in _release_versions(group, rebuilder)]
            observations += sum(len(group) for group in batch)
            frame = pl.DataFrame(rows, schema=RELEASE_SCHEMA)
            latest = (frame.group_by("release_id").agg(pl.col("version").max())
                      if frame.height else frame.select("release_id", "version"))
            with registered(conn, "rebuilt_ids", latest.select("release_id")):
                # a release whose latest observation moved here from another window
                conn.execute("delete from raw.releases "
                             "where release_id in (select release_id from rebuilt_ids)")
            insert_frame(conn, "raw.releases", frame)
            for release_id, version in latest.iter_rows():
                if release_id not in before:
                    new += 1
                elif version > before[release_id]:
                    changed += 1
            releases += latest.height
            versions_written += frame.height
    quarantine_window(conn, start, end)
    rejected = conn.execute(
        "select count(*) from raw.rejected_items where partition_date >= ? and partition_date < ?",
        [start, end],
    ).fetchone()[0]
    return LoadStats(observations=observations, releases=releases, rejected=rejected,
                     versions_written=versions_written, new=new, changed=changed,
                     unchanged=releases - new - changed)


