"""raw.releases: one row per release version, rebuilt per partition window from kept payloads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import polars as pl

from orchestration.sources.config import SourceConfig
from orchestration.sources.fingerprint import parser_fingerprint
from orchestration.sources.models import ParsedRelease
from orchestration.sources.rebuild import Rebuilder
from orchestration.warehouse.buckets import bucket_count, in_bucket
from orchestration.warehouse.connection import registered, transaction
from orchestration.warehouse.quarantine import quarantine_window, release_window
from orchestration.warehouse.raw_store import PARSE_KEY, PayloadCache, parse_rows, store_parses


@dataclass(frozen=True)
class LoadStats:
    observations: int
    releases: int
    new: int
    changed: int
    unchanged: int
    rejected: int
    versions_written: int


BATCH_RELEASES = 2000  # item references re-parsed, held and written at once (bounds memory)

# Every version of each release of one bucket of the window (buckets.py: the window functions
# and the join that brings the texts hold a bucket of observations, not the window),
# from the kept parses of its observations (in fetch order): each distinct text is a version,
# and a truncated observation never supersedes a full text (a failed page fetch must not
# overwrite what we had).
_VERSIONS = f"""
    with observed as (
        select refs.release_id, refs.fetched_at, refs.run_id, refs.item_key,
               refs.release_partition, refs.parse_key, refs.parser,
               coalesce(refs.detail_payload_sha256, refs.feed_payload_sha256) as payload_sha256,
               parsed.content_hash, parsed.is_truncated
        from window_refs as refs
        inner join raw.parsed_items as parsed
            on parsed.parse_key = refs.parse_key and parsed.parser = refs.parser
            and parsed.release_id = refs.release_id
        where {in_bucket("refs.release_id", "$buckets", "$bucket")}
    ),
    ordered as (
        select *, bool_or(not is_truncated) over (
            partition by release_id order by fetched_at, run_id, item_key
            rows between unbounded preceding and 1 preceding) as had_full_text
        from observed
    ),
    first_of_each_text as (
        select * from ordered
        where not (is_truncated and coalesce(had_full_text, false))
        qualify row_number() over (
            partition by release_id, content_hash order by fetched_at, run_id, item_key) = 1
    )
    select release_id, release_partition, fetched_at, payload_sha256, parse_key, parser,
           cast(row_number() over (
               partition by release_id order by fetched_at, run_id, item_key) as integer
           ) as version
    from first_of_each_text
"""
_INSERT_VERSIONS = f"""
    insert into raw.releases (release_id, version, source, source_name, native_id, url, title,
        summary, body_text, published_at, partition_date, is_truncated, language,
        release_type_hint, metadata_json, content_hash, fetched_at, payload_sha256)
    select versions.release_id, versions.version, parsed.source, parsed.source_name,
           parsed.native_id, parsed.url, parsed.title, parsed.summary, parsed.body_text,
           parsed.published_at, versions.release_partition, parsed.is_truncated,
           parsed.language, parsed.release_type_hint, parsed.metadata_json,
           parsed.content_hash, versions.fetched_at, versions.payload_sha256
    from window_versions as versions
    inner join raw.parsed_items as parsed
        on parsed.parse_key = versions.parse_key and parsed.parser = versions.parser
    where {in_bucket("versions.release_id", "$buckets", "$bucket")}
      and {in_bucket("parsed.release_id", "$buckets", "$bucket")}
    order by versions.release_id, versions.version
"""


def _window_refs(conn: duckdb.DuckDBPyConnection, sources: dict[str, SourceConfig],
                 start: date, end: date) -> None:
    """Temp table ``window_refs``: the observations of the releases whose latest observation
    falls in [start, end), each with its parse key and the parser fingerprint a kept parse
    must have (None for a source no longer configured)."""
    parsers = pl.DataFrame(
        {"parser_source": list(sources),
         "expected_parser": [parser_fingerprint(source) for source in sources.values()]},
        schema={"parser_source": pl.Utf8, "expected_parser": pl.Utf8})
    with registered(conn, "source_parsers", parsers):
        conn.execute(f"""
            create or replace temp table window_refs as
            with latest as (
                select release_id, arg_max(partition_date, fetched_at) as release_partition
                from raw.fetched_items group by release_id
            )
            select items.*, latest.release_partition, {PARSE_KEY} as parse_key,
                   case when items.context_json like '%"as_of"%' then ?
                        else source_parsers.expected_parser end as parser
            from raw.fetched_items as items
            inner join latest using (release_id)
            left join source_parsers on source_parsers.parser_source = items.source
            where latest.release_partition >= ? and latest.release_partition < ?
        """, [parser_fingerprint(None), start, end])


def _parse_missing(conn: duckdb.DuckDBPyConnection, sources: dict[str, SourceConfig],
                   now: datetime | None, batch_size: int) -> int:
    """Parse, from the kept payloads, the window's observations that have no kept parse of
    the current parser (an older fetch, another parser version, a changed source setting) and
    keep those parses; ``batch_size`` references at a time. Returns how many were parsed."""
    conn.execute("""
        create or replace temp table missing_refs as
        select *, row_number() over (
            order by feed_payload_sha256, release_id, fetched_at, run_id, item_key) as position
        from window_refs as refs
        where not exists (
            select 1 from raw.parsed_items as parsed
            where parsed.parse_key = refs.parse_key and parsed.parser = refs.parser
              and parsed.release_id = refs.release_id)
    """)
    missing = conn.execute("select count(*) from missing_refs").fetchone()[0]
    payloads = PayloadCache(conn)
    rebuilder = Rebuilder(sources, payloads.get, now=now, content_type_of=payloads.content_type)
    for first in range(0, missing, batch_size):
        cursor = conn.execute("select * exclude (position) from missing_refs "
                              "where position > ? and position <= ? order by position",
                              [first, first + batch_size])
        columns = [column[0] for column in cursor.description]
        refs = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        payloads.prefetch(refs)
        parses = []
        for ref in refs:
            release = rebuilder.build(ref) if ref["parser"] else None
            if isinstance(release, ParsedRelease) and release.release_id == ref["release_id"]:
                parses.append((ref, release, ref["parser"]))
        store_parses(conn, parse_rows(parses))
    conn.execute("drop table missing_refs")
    return missing


def _write_versions(conn: duckdb.DuckDBPyConnection) -> None:
    """Temp table ``window_versions`` and the versions in raw.releases, a bucket of releases
    at a time."""
    buckets = bucket_count(conn.execute("select count(*) from window_refs").fetchone()[0])
    conn.execute(f"create or replace temp table window_versions as {_VERSIONS} limit 0",
                 {"buckets": 1, "bucket": 0})
    for bucket in range(buckets):
        conn.execute(f"insert into window_versions {_VERSIONS}",
                     {"buckets": buckets, "bucket": bucket})
    # a release whose latest observation moved here from another window
    conn.execute("delete from raw.releases "
                 "where release_id in (select release_id from window_versions)")
    for bucket in range(buckets):
        conn.execute(_INSERT_VERSIONS, {"buckets": buckets, "bucket": bucket})


def rebuild_releases(conn: duckdb.DuckDBPyConnection, sources: dict[str, SourceConfig],
                     start: date, end: date, *, now: datetime | None = None,
                     batch_size: int = BATCH_RELEASES) -> LoadStats:
    """Replace the releases whose latest observation falls in [start, end) (end exclusive).

    Each observation's release comes from its kept parse (the fetch keeps what it parsed);
    only observations without one are parsed again from the kept payloads, ``batch_size`` at
    a time. Versions are then derived and written in SQL. One transaction: all or nothing.
    """
    # Only rows this rebuild re-derives are replaced: releases of a source that is no longer
    # configured (or disabled) cannot be re-derived, and a config change never deletes data.
    derivable = pl.DataFrame({"source": sorted(sources)}, schema={"source": pl.Utf8})
    release_window(conn, start, end)
    with transaction(conn):
        conn.execute("""
            create or replace temp table previous_versions as
            select release_id, max(version) as versions from raw.releases
            where partition_date >= ? and partition_date < ? group by release_id
        """, [start, end])
        with registered(conn, "derivable", derivable):
            conn.execute("""
                delete from raw.releases
                where partition_date >= ? and partition_date < ?
                  and (source in (select source from derivable)
                       or release_id in (select release_id from raw.fetched_items
                                         where context_json like '%"as_of"%'))
            """, [start, end])
        _window_refs(conn, sources, start, end)
        _parse_missing(conn, sources, now, batch_size)
        _write_versions(conn)
        observations, releases, versions_written, new, changed = conn.execute("""
            with latest as (
                select release_id, max(version) as version from window_versions group by 1
            )
            select (select count(*) from window_refs), count(*),
                   (select count(*) from window_versions),
                   count(*) filter (where previous.versions is null),
                   count(*) filter (where latest.version > previous.versions)
            from latest left join previous_versions as previous using (release_id)
        """).fetchone()
        for table in ("window_versions", "window_refs", "previous_versions"):
            conn.execute(f"drop table {table}")
    quarantine_window(conn, start, end)
    rejected = conn.execute(
        "select count(*) from raw.rejected_items where partition_date >= ? and partition_date < ?",
        [start, end],
    ).fetchone()[0]
    return LoadStats(observations=observations, releases=releases, rejected=rejected,
                     versions_written=versions_written, new=new, changed=changed,
                     unchanged=releases - new - changed)
